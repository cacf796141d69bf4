package synth

import (
	"math"
	"math/rand/v2"
)

// This file exports the channel models for data augmentation (package
// augment): rooms, loudspeakers and microphones with parameters drawn fresh
// from a generator instead of the fixed condition IDs, and a reusable
// simulator that applies them. The ranges span those of the condition
// tables, so an augmented utterance meets channels like the corpus's
// without repeating its exact configurations.

// logUniform draws from [lo, hi] uniformly on a log scale.
func logUniform(r *rand.Rand, lo, hi float64) float64 {
	return lo * math.Exp(r.Float64()*math.Log(hi/lo))
}

// randomPeaks draws n resonances between 300 Hz and 7 kHz of ±maxDB.
func randomPeaks(r *rand.Rand, n int, maxDB float64) []Peak {
	p := make([]Peak, n)
	for i := range p {
		p[i] = Peak{Freq: logUniform(r, 300, 7000), GainDB: uniform(r, -maxDB, maxDB), Q: uniform(r, 1, 3)}
	}
	return p
}

// RandomEnvironment draws an acoustic environment: RT60 0.04–1.5 s and
// volume 5–800 m³ (log-uniform), distance 0.3–2.5 m, a background noise
// kind (any but the cable hum) at an SNR of 10–50 dB.
func RandomEnvironment(r *rand.Rand) Environment {
	return Environment{
		Name:   "random room",
		RT60:   logUniform(r, 0.04, 1.5),
		Dist:   uniform(r, 0.3, 2.5),
		Volume: logUniform(r, 5, 800),
		Noise:  NoiseKind(r.IntN(int(NoiseHum))),
		SNR:    uniform(r, 10, 50),
	}
}

// RandomLoudspeaker draws a playback device: high-pass 45–700 Hz (order 2
// or 4), low-pass 3.5–7.95 kHz, zero to three resonances of up to ±8 dB
// and 2nd/3rd-harmonic distortion up to 6 % / 8 % (log-uniform from 0.05 %).
func RandomLoudspeaker(r *rand.Rand) Loudspeaker {
	return Loudspeaker{
		Name: "random loudspeaker",
		Low:  logUniform(r, 45, 700), LowOrder: 2 + 2*r.IntN(2),
		High: uniform(r, 3500, 7950), HighOrder: 2 + 2*r.IntN(2),
		Peaks: randomPeaks(r, r.IntN(4), 8),
		H2:    logUniform(r, 0.0005, 0.06), H3: logUniform(r, 0.0005, 0.08),
	}
}

// RandomMicrophone draws a recording device: high-pass 40–300 Hz,
// low-pass 3.6–7.95 kHz (order 4), zero to two resonances of up to ±6 dB,
// self-noise −85…−50 dB and an AGC of strength 0–1 half of the time.
func RandomMicrophone(r *rand.Rand) Microphone {
	m := Microphone{
		Name: "random microphone",
		Low:  logUniform(r, 40, 300), LowOrder: 2,
		High: uniform(r, 3600, 7950), HighOrder: 4,
		Peaks:   randomPeaks(r, r.IntN(3), 6),
		NoiseDB: uniform(r, -85, -50),
	}
	if r.IntN(2) == 0 {
		m.AGC = r.Float64()
	}
	return m
}

// Channel applies channel models to waveforms at Rate (16 kHz). It keeps
// scratch buffers between calls: one per goroutine.
type Channel struct{ c channel }

// Room convolves x in place with a room response for env (drawn from r)
// and adds env's background noise at its SNR. A wire environment has no
// room: only the noise is added.
func (ch *Channel) Room(r *rand.Rand, x []float64, env Environment) {
	ch.c.room(r, x, env)
	if env.SNR > 0 {
		ch.c.addNoise(r, x, env.Noise, env.SNR)
	}
}

// Noise adds background noise of kind to x at snr dB below its active
// speech level.
func (ch *Channel) Noise(r *rand.Rand, x []float64, kind NoiseKind, snr float64) {
	ch.c.addNoise(r, x, kind, snr)
}

// Play passes x in place through loudspeaker ls (normalised to full drive
// first: the output's level is not the input's).
func (ch *Channel) Play(x []float64, ls Loudspeaker) { ch.c.play(x, ls, false) }

// Record passes x in place through microphone m, with self-noise drawn
// from r.
func (ch *Channel) Record(r *rand.Rand, x []float64, m Microphone) { ch.c.record(r, x, m, false, 0) }
