package synth

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"

	"github.com/deep4deep/deep4deep/corpus"
)

// Renderer synthesises the audio of protocol rows. The audio of a row
// depends only on the seed, the row (file name, speaker, phrase, condition
// IDs) and the sources, never on which Renderer or goroutine makes it.
// A Renderer reuses its buffers: create one per goroutine.
type Renderer struct {
	seed    uint64
	sources *Sources
	sp      speaker
	ch      channel
}

// NewRenderer returns a renderer for seed. sources may be nil (synthesised
// speech).
func NewRenderer(seed uint64, sources *Sources) *Renderer {
	return &Renderer{seed: seed, sources: sources}
}

// Render returns the 16 kHz audio of trial t, quantised to 16 bits
// (every sample is a multiple of 1/32768), ready for audio.WriteWAV16.
//
// Genuine: clean speech → the speaker's recording environment (a short
// room response, background noise) → the speaker's phone (microphone
// response, self-noise at its datasheet level for the speech level at the
// session's distance, AGC): one device chain.
//
// Spoof: another genuine recording of the same speaker and phrase, made as
// above and stored at 16 bits, → playback device t.Playback (its sample-rate
// converter, non-linear distortion rising at its low cut-off, band limits,
// resonances; played at the talker's level) → replay environment
// t.Environment (room response of its RT60 at its distance, with the
// anechoic rooms' modes below their cut-off, background noise; nothing for
// an analog wire) → recording device t.Recorder (a second device chain:
// its response, a cardioid's proximity effect, its self-noise for the
// speech level at the environment's distance, AGC, conversion to 16 kHz).
//
// Both classes end with the same level normalisation: the active speech
// level is set to a per-file random value in −30…−20 dBFS, so loudness
// carries no class information; then TPDF dither and 16-bit quantisation.
func (g *Renderer) Render(t corpus.Trial) ([]float32, error) {
	rs := newRand(g.seed, "speech", t.File)
	rc := newRand(g.seed, "channel", t.File)
	x, err := g.clean(rs, t)
	if err != nil {
		return nil, err
	}
	g.genuineRecording(rc, x, t.Speaker)
	if t.Label == corpus.Spoof {
		quantize(rc, x, -26)
		env := environmentFor(t.Environment)
		ls := playbackFor(t.Playback)
		mic := recorderFor(t.Recorder)
		g.ch.resample(x, ls.SRC)
		g.ch.play(x, ls, env.Wire)
		if !env.Wire {
			rr := newRand(g.seed, "rir", t.Environment, t.Playback, t.Recorder)
			g.ch.room(rr, x, env)
		} else {
			butterworth(x, env.Low, 2, true)
			butterworth(x, env.High, 2, false)
		}
		g.ch.addNoise(rc, x, env.Noise, env.SNR)
		g.ch.record(rc, x, mic, env.Wire, env.Dist)
	}
	level := uniform(rc, -30, -20)
	quantize(rc, x, level)
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(v)
	}
	return out, nil
}

// clean returns the clean source speech of t: synthesised, or a recording
// from the sources with 0.25–0.6 s of silence added at both ends.
func (g *Renderer) clean(r *rand.Rand, t corpus.Trial) ([]float64, error) {
	if g.sources != nil {
		src, err := g.sources.pick(g.seed, t.Speaker, t.Phrase)
		if err != nil {
			return nil, err
		}
		lead := int(uniform(r, 0.25, 0.6) * Rate)
		trail := int(uniform(r, 0.25, 0.6) * Rate)
		x := make([]float64, lead+len(src)+trail)
		for i, v := range src {
			x[lead+i] = float64(v)
		}
		return x, nil
	}
	v := VoiceFor(g.seed, t.Speaker)
	return g.sp.speak(r, NewTake(r, v, t.Phrase)), nil
}

// genuineSession draws the environment of one of the speaker's own
// recording sessions (home, office, quiet room; the phone held close).
func genuineSession(r *rand.Rand) Environment {
	kinds := [...]NoiseKind{NoiseQuiet, NoiseOffice, NoiseHVAC, NoiseQuiet, NoiseBabble}
	return Environment{
		Name:   "speaker's session",
		RT60:   uniform(r, 0.25, 0.6),
		Dist:   uniform(r, 0.15, 0.5),
		Volume: uniform(r, 25, 90),
		Noise:  kinds[r.IntN(len(kinds))],
		SNR:    uniform(r, 30, 50),
	}
}

// phoneOf returns the speaker's own phone.
func phoneOf(seed uint64, speaker string) Microphone {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d/%s", seed, speaker)
	return genuinePhones[h.Sum64()%uint64(len(genuinePhones))]
}

// genuineRecording records clean speech x (in place) in one of the
// speaker's sessions on the speaker's phone.
func (g *Renderer) genuineRecording(r *rand.Rand, x []float64, speaker string) {
	env := genuineSession(r)
	g.ch.room(r, x, env)
	g.ch.addNoise(r, x, env.Noise, env.SNR)
	g.ch.record(r, x, phoneOf(g.seed, speaker), false, env.Dist)
}

// quantize scales x to the active level levelDB (dBFS), limits the peak to
// −0.1 dBFS, adds TPDF dither of ±1 LSB and rounds to 16-bit steps.
func quantize(r *rand.Rand, x []float64, levelDB float64) {
	lvl := activeLevel(x)
	if lvl == 0 {
		return
	}
	g := db(levelDB) / lvl
	var peak float64
	for _, v := range x {
		peak = math.Max(peak, math.Abs(v))
	}
	if peak*g > 0.988 {
		g = 0.988 / peak
	}
	const inv32 = 1.0 / (1 << 32)
	for i, v := range x {
		u := r.Uint64() // two 32-bit uniforms: their difference is TPDF
		d := (float64(u>>32) - float64(u&0xffffffff)) * inv32
		q := math.Round(v*g*32768 + d)
		x[i] = math.Min(math.Max(q, -32768), 32767) / 32768
	}
}

// Pair renders, in memory, a genuine trial and a spoof trial of the same
// speaker and phrase under the given replay condition: handy for figures
// and tests. Both use the file name "pair", so they draw the same random
// streams: the spoof replays the very recording (take, session, phone)
// returned as genuine, at its own output level.
func Pair(seed uint64, speaker, phrase, env, playback, recorder string) (genuine, spoof []float32, err error) {
	g := NewRenderer(seed, nil)
	genuine, err = g.Render(corpus.Trial{File: "pair", Label: corpus.Genuine, Speaker: speaker,
		Phrase: phrase, Environment: corpus.NoCondition, Playback: corpus.NoCondition, Recorder: corpus.NoCondition})
	if err != nil {
		return nil, nil, err
	}
	spoof, err = g.Render(corpus.Trial{File: "pair", Label: corpus.Spoof, Speaker: speaker,
		Phrase: phrase, Environment: env, Playback: playback, Recorder: recorder})
	return genuine, spoof, err
}
