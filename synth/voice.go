package synth

import (
	"hash/fnv"
	"math/rand/v2"
)

// newRand returns a PCG generator whose stream depends only on seed and the
// given labels (e.g. "take", file ID). Every random choice in synth comes
// from such a generator, so a file's content never depends on which worker
// made it or in which order.
func newRand(seed uint64, labels ...string) *rand.Rand {
	h := fnv.New64a()
	for _, l := range labels {
		h.Write([]byte(l))
		h.Write([]byte{0})
	}
	k := h.Sum64()
	return rand.New(rand.NewPCG(seed^0x9e3779b97f4a7c15, k))
}

// Voice is a speaker's stable vocal identity.
type Voice struct {
	F0      float64 // mean fundamental frequency (Hz)
	Accent  float64 // pitch-accent height, fraction of F0
	Scale   float64 // formant scale factor = 17.5 cm / vocal-tract length
	BwScale float64 // formant bandwidth multiplier
	Breath  float64 // aspiration noise relative to voicing (breathiness)
	Jitter  float64 // period-to-period s.d. of the glottal period (fraction)
	Shimmer float64 // period-to-period s.d. of the pulse amplitude (fraction)
	OQ      float64 // open quotient of the glottal pulse
	Tilt    float64 // extra source spectral tilt (one-pole coefficient)
	Rate    float64 // speaking rate (1 = the inventory's durations)
}

// VoiceFor returns the voice of speaker under seed. The ASVspoof 2017
// speakers are all male (RedDots male part), so the ranges are adult male:
// F0 85–150 Hz, vocal tract 15.9–19.4 cm.
func VoiceFor(seed uint64, speaker string) Voice {
	r := newRand(seed, "voice", speaker)
	return Voice{
		F0:      uniform(r, 85, 150),
		Accent:  uniform(r, 0.10, 0.30),
		Scale:   uniform(r, 0.90, 1.10),
		BwScale: uniform(r, 0.85, 1.3),
		Breath:  uniform(r, 0.03, 0.25),
		Jitter:  uniform(r, 0.004, 0.015),
		Shimmer: uniform(r, 0.02, 0.07),
		OQ:      uniform(r, 0.45, 0.75),
		Tilt:    uniform(r, 0.0, 0.6),
		Rate:    uniform(r, 0.85, 1.2),
	}
}
