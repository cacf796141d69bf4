package synth

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
)

// channel holds the scratch state of the channel simulation of one worker.
type channel struct {
	conv  convolver
	noise []float64
	tmp   []float64
	exc   []float64 // cone excursion (play)
}

// room convolves x (in place) with a room impulse response for env drawn
// from r. The response is a direct path, a handful of early reflections and
// an exponentially decaying noise tail, split at 1 kHz into a low band with
// reverberation time 1.15·RT60 and a high band with 0.8·RT60 (air and wall
// absorption grow with frequency). The tail's energy relative to the direct
// sound is (d/r_c)², with the critical distance r_c = 0.057·√(V/RT60) m
// (Kuttruff, Room Acoustics).
func (c *channel) room(r *rand.Rand, x []float64, env Environment) {
	if env.Wire || env.RT60 <= 0 {
		return
	}
	h := roomResponse(r, env)
	c.conv.convolve(x, h)
}

// roomResponse builds the impulse response described at channel.room.
func roomResponse(r *rand.Rand, env Environment) []float64 {
	n := int(math.Min(1.1*math.Max(env.RT60, env.RT60Low), 1.0) * Rate)
	n = max(n, 256)
	h := make([]float64, n)
	h[0] = 1
	const c = 343.0
	// early reflections: image sources a few metres away, weaker in
	// well-damped rooms.
	early := math.Min(1, env.RT60/0.3)
	maxDelay := 0.004 + 0.02*math.Min(env.RT60, 1)
	for range 8 {
		tau := uniform(r, 0.0015, maxDelay)
		k := int(tau * Rate)
		if k >= n {
			continue
		}
		a := early * uniform(r, 0.2, 0.6) * env.Dist / (env.Dist + c*tau)
		if r.IntN(2) == 0 {
			a = -a
		}
		h[k] += a
	}
	// diffuse tail
	tail := make([]float64, n)
	lp := newOnePole(1000)
	low := make([]float64, n)
	gauss(r, tail)
	copy(low, tail)
	lp.process(low)
	start := int(0.004 * Rate)
	var e float64
	tl, th := 1.15*env.RT60, 0.8*env.RT60
	// amplitude decays by 60 dB (factor e^−6.91) per RT60
	dl, dh := math.Exp(-6.91/(tl*Rate)), math.Exp(-6.91/(th*Rate))
	el, eh := math.Pow(dl, float64(start)), math.Pow(dh, float64(start))
	for i := start; i < n; i++ {
		hi := tail[i] - low[i]
		v := 3*low[i]*el + hi*eh
		el *= dl
		eh *= dh
		// onset ramp: the diffuse field builds up over a few ms
		if d := float64(i-start) / (0.006 * Rate); d < 1 {
			v *= d
		}
		tail[i] = v
		e += v * v
	}
	var direct float64
	for _, v := range h {
		direct += v * v
	}
	rc := 0.057 * math.Sqrt(env.Volume/env.RT60)
	want := direct * (env.Dist / rc) * (env.Dist / rc)
	if e > 0 {
		g := math.Sqrt(want / e)
		for i := start; i < n; i++ {
			h[i] += g * tail[i]
		}
	}
	if env.CutOff > 0 && env.RT60Low > 0 {
		lowBandModes(r, h, env, direct)
	}
	return h
}

// lowBandModes adds to h (in place) the reverberation of an anechoic room
// below its cut-off frequency env.CutOff, where the wedges stop absorbing:
// a diffuse tail of reverberation time env.RT60Low whose level follows the
// critical distance at that reverberation time, r_c = 0.057·√(V/T)
// (Kuttruff), like channel.room's broadband tail, then low-passed at the
// cut-off (2nd-order Butterworth), so only the band below it keeps the
// tail's energy density: (d/r_c)² times the direct sound's.
func lowBandModes(r *rand.Rand, h []float64, env Environment, direct float64) {
	n := len(h)
	start := int(0.004 * Rate)
	if n <= start {
		return
	}
	tail := make([]float64, n)
	gauss(r, tail[start:])
	d := math.Exp(-6.91 / (env.RT60Low * Rate))
	a := 1.0
	var e float64
	for i := start; i < n; i++ {
		tail[i] *= a
		a *= d
		e += tail[i] * tail[i]
	}
	rc := 0.057 * math.Sqrt(env.Volume/env.RT60Low)
	want := direct * (env.Dist / rc) * (env.Dist / rc)
	g := math.Sqrt(want / e)
	for i := range tail {
		tail[i] *= g
	}
	butterworth(tail, env.CutOff, 2, false)
	for i := range h {
		h[i] += tail[i]
	}
}

// addNoise adds background noise of kind to x at snr dB below the active
// level of x.
func (c *channel) addNoise(r *rand.Rand, x []float64, kind NoiseKind, snr float64) {
	c.noise = grow(c.noise, len(x))
	makeNoise(r, c.noise, kind)
	g := activeLevel(x) * db(-snr) / math.Max(rms(c.noise), 1e-12)
	for i := range x {
		x[i] += g * c.noise[i]
	}
}

// makeNoise fills x with noise of the given kind (arbitrary scale).
func makeNoise(r *rand.Rand, x []float64, kind NoiseKind) {
	n := len(x)
	switch kind {
	case NoiseQuiet:
		pink(r, x)
		b := make([]float64, n)
		brown(r, b, 80)
		mix(x, b, 2)
	case NoiseOffice:
		pink(r, x)
		clicks(r, x, 2.5, 1500, 5000, 0.004, 40)
	case NoiseHVAC:
		brown(r, x, 250)
		p := make([]float64, n)
		pink(r, p)
		mix(x, p, 0.4)
		hum(r, x, 0.3)
	case NoiseBabble:
		babble(r, x, 6)
	case NoiseCantine:
		babble(r, x, 12)
		clicks(r, x, 1.5, 2500, 6500, 0.03, 25)
	case NoiseStreet:
		brown(r, x, 150)
		p := make([]float64, n)
		pink(r, p)
		mix(x, p, 0.3)
		ph := r.Float64() * 2 * math.Pi
		f := uniform(r, 0.08, 0.25)
		blockEnvelope(x, func(i int) float64 { return 1 + 0.6*math.Sin(2*math.Pi*f*float64(i)/Rate+ph) })
	case NoiseCar:
		brown(r, x, 100)
		f0 := uniform(r, 25, 40)
		ph := r.Float64() * 2 * math.Pi
		s := rms(x)
		// engine harmonics by recurrence: z ← z·e^{jω}, with
		// sin 2w and sin 3w from sin w and cos w.
		rot := complex(math.Cos(2*math.Pi*f0/Rate), math.Sin(2*math.Pi*f0/Rate))
		z := complex(math.Cos(ph), math.Sin(ph))
		for i := range x {
			c, sn := real(z), imag(z)
			s2 := 2 * sn * c
			s3 := sn * (3 - 4*sn*sn)
			x[i] += s * (0.8*sn + 0.4*s2 + 0.2*s3)
			z *= rot
			if i&1023 == 0 {
				z /= complex(cmplx.Abs(z), 0)
			}
		}
	case NoiseHum:
		gauss(r, x)
		for i := range x {
			x[i] *= 0.3
		}
		hum(r, x, 1)
	}
}

func mix(x, y []float64, g float64) {
	sx, sy := rms(x), rms(y)
	if sy == 0 {
		return
	}
	k := g * sx / sy
	for i := range x {
		x[i] += k * y[i]
	}
}

// pink fills x with 1/f noise (Paul Kellet's economy filter: three
// one-pole sections approximating −3 dB/octave to within ±0.5 dB).
func pink(r *rand.Rand, x []float64) {
	var b0, b1, b2 float64
	for i := range x {
		w := r.NormFloat64()
		b0 = 0.99765*b0 + w*0.0990460
		b1 = 0.96300*b1 + w*0.2965164
		b2 = 0.57000*b2 + w*1.0526913
		x[i] = b0 + b1 + b2 + w*0.1848
	}
}

// brown fills x with white noise low-passed at fc (−6 dB/octave above).
func brown(r *rand.Rand, x []float64, fc float64) {
	gauss(r, x)
	p := newOnePole(fc)
	p.process(x)
	highpass1(x, 20)
}

// hum adds mains hum (50 Hz with decaying harmonics) at amplitude g relative
// to the RMS of x.
func hum(r *rand.Rand, x []float64, g float64) {
	s := rms(x) * g
	var amps [6]float64
	for k := range amps {
		amps[k] = uniform(r, 0.2, 1) / float64(k+1)
	}
	// 50 Hz divides 16 kHz: tabulate one period (320 samples).
	const period = Rate / 50
	var tab [period]float64
	ph := r.Float64() * 2 * math.Pi
	for i := range tab {
		w := 2*math.Pi*float64(i)/period + ph
		for k, a := range amps {
			tab[i] += s * a * math.Sin(float64(k+1)*w)
		}
	}
	for i := range x {
		x[i] += tab[i%period]
	}
}

// clicks adds rate-per-second transients: struck objects (keys, cutlery)
// ringing with three inharmonic partials (ratios 1 : 2.76 : 5.40, those of
// a free bar) from a fundamental between fLo and fHi Hz, decaying with time
// constant tau s (higher partials faster), peak amplitude peak × RMS of x.
// Partials above 7.5 kHz are dropped.
func clicks(r *rand.Rand, x []float64, rate, fLo, fHi, tau, peak float64) {
	s := rms(x)
	n := len(x)
	k := int(rate * float64(n) / Rate)
	ratios := [...]float64{1, 2.76, 5.40}
	for range k {
		at := r.IntN(n)
		f := uniform(r, fLo, fHi) / 2
		a := s * peak * uniform(r, 0.05, 0.3)
		ln := int(5 * tau * Rate)
		for p, q := range ratios {
			fp := f * q
			if fp > 7500 {
				break
			}
			ap := a / float64(p+1)
			tp := tau / (1 + float64(p))
			for j := 0; j < ln && at+j < n; j++ {
				t := float64(j) / Rate
				x[at+j] += ap * math.Exp(-t/tp) * math.Sin(2*math.Pi*fp*t)
			}
		}
	}
}

// babble approximates a crowd of talkers: speech-shaped noise (pink,
// band-limited to 150–4000 Hz) modulated by the sum of independent
// syllabic envelopes (3–6 Hz). More talkers give a flatter envelope.
func babble(r *rand.Rand, x []float64, talkers int) {
	pink(r, x)
	hp := highpass2(150, 0.7)
	lp := lowpass2(3000, 0.7)
	hp.process(x)
	lp.process(x)
	type tk struct{ f, ph, a float64 }
	ts := make([]tk, talkers)
	for i := range ts {
		ts[i] = tk{uniform(r, 3, 6), r.Float64() * 2 * math.Pi, uniform(r, 0.5, 1)}
	}
	// The envelope moves at syllable rate: evaluate it every millisecond and
	// interpolate linearly in between.
	env := func(i int) float64 {
		t := float64(i) / Rate
		var e float64
		for _, k := range ts {
			s := math.Sin(2*math.Pi*k.f*t + k.ph + 0.8*math.Sin(2*math.Pi*0.4*t+k.ph))
			e += k.a * s * s
		}
		return e
	}
	blockEnvelope(x, env)
}

// blockEnvelope multiplies x by env(i), evaluated every frameSamples and
// interpolated linearly: for envelopes far slower than 1 kHz.
func blockEnvelope(x []float64, env func(i int) float64) {
	e0 := env(0)
	for b := 0; b < len(x); b += frameSamples {
		e1 := env(b + frameSamples)
		end := min(b+frameSamples, len(x))
		for i := b; i < end; i++ {
			x[i] *= e0 + (e1-e0)*float64(i-b)/frameSamples
		}
		e0 = e1
	}
}

// butterworth applies an even-order Butterworth high- or low-pass at f Hz.
func butterworth(x []float64, f float64, order int, high bool) {
	if f <= 0 || order <= 0 || f >= 0.49*Rate {
		return
	}
	for _, q := range butterQ(max(order, 2)) {
		var b biquad
		if high {
			b = highpass2(f, q)
		} else {
			b = lowpass2(f, q)
		}
		b.process(x)
	}
}

func applyPeaks(x []float64, peaks []Peak) {
	for _, p := range peaks {
		b := peaking(p.Freq, p.GainDB, p.Q)
		b.process(x)
	}
}

// excursionRatio is how much more a loudspeaker distorts at its low
// cut-off, where its cone excursion is largest, than in its mid band. It is
// the ratio of the two harmonic-distortion limits in the Genelec 8030A
// specification (at 90 dB SPL, 1 m: < 2 % from 50 to 100 Hz, < 0.5 %
// above 100 Hz); see CONDITIONS.md.
const excursionRatio = 4

// play passes x through loudspeaker ls (in place). The signal is first
// normalised to full drive (peak 1) and distorted by the driver's
// non-linearity, then shaped by its frequency response. The non-linearity
// has two parts: a memoryless y = u + H2·u² + H3·u³ (the motor and
// suspension at mid-band excursions) and the same polynomial, scaled by
// excursionRatio − 1, of the cone excursion e, which is the drive
// band-passed around the low cut-off (2nd-order Butterworth high- and
// low-pass at Low, unit gain at Low): below the cut-off the amplifier's
// protection high-pass removes the drive, above it the excursion falls
// 12 dB per octave. A full-drive sine at Low thus distorts excursionRatio
// times more than one in the mid band. A line output has only its
// electrical band limits; a loudspeaker's amplifier tapped by an analog
// wire keeps a fifth of the distortion, no excursion, and a 20 Hz coupling
// high-pass.
func (c *channel) play(x []float64, ls Loudspeaker, wire bool) {
	var peak float64
	for _, v := range x {
		if a := math.Abs(v); a > peak { // not math.Max: its NaN and ±0 rules make it 5× slower here
			peak = a
		}
	}
	if peak == 0 {
		return
	}
	h2, h3 := ls.H2, ls.H3
	if wire && !ls.Line {
		h2, h3 = h2/5, h3/5
	}
	for i, v := range x {
		x[i] = v / peak
	}
	var e []float64
	if !ls.Line && !wire && ls.Low > 0 && ls.Low < 0.45*Rate {
		c.exc = grow(c.exc, len(x))
		e = c.exc[:len(x)]
		copy(e, x)
		hp, lp := highpass2(ls.Low, math.Sqrt2/2), lowpass2(ls.Low, math.Sqrt2/2)
		hp.process(e)
		lp.process(e)
	}
	const k = excursionRatio - 1
	for i, u := range x {
		y := u + h2*u*u + h3*u*u*u
		if e != nil {
			v := 2 * e[i] // each Butterworth section is −3 dB at Low
			y += k * (h2*v*v + h3*v*v*v)
		}
		x[i] = y
	}
	highpass1(x, 5) // the even-order terms' DC
	switch {
	case ls.Line:
		butterworth(x, ls.Low, 2, true)
		butterworth(x, ls.High, 2, false)
	case wire: // the amplifier output: a coupling capacitor's high-pass
		butterworth(x, 20, 2, true)
	default:
		butterworth(x, ls.Low, ls.LowOrder, true)
		butterworth(x, ls.High, ls.HighOrder, false)
		applyPeaks(x, ls.Peaks)
	}
}

// speechSPL1m is the sound pressure level of speech at normal vocal effort
// 1 m in front of the talker: 62.35 dB SPL (ANSI S3.5-1997, Table 3). A
// replay is assumed to be played back at the same level, so that it sounds
// like the talker at that distance.
const speechSPL1m = 62.35

// selfNoiseBand converts a datasheet self-noise figure, measured over the
// 20 Hz–20 kHz audio band, to the 0–8 kHz band of a 16 kHz recording: for
// a white noise floor the share is 10·log10(8/20) = −4 dB.
const selfNoiseBand = -3.98

// speechSPL returns the speech level (dB SPL) at a capsule dist metres from
// the talker or loudspeaker: spherical spreading, −20·log10(dist) re 1 m.
func speechSPL(dist float64) float64 { return speechSPL1m - 20*math.Log10(dist) }

// record passes the acoustic (or line) signal x through microphone m:
// the acoustic part of its response (the proximity effect of a gradient
// capsule at dist m from the source, the capsule and enclosure
// resonances), its self-noise, its electrical band limits (the high-pass
// and the converter's anti-alias low-pass, which shape the self-noise like
// the speech: a 16 kHz device records no noise above its own band),
// automatic gain control, then the conversion of the device's recording to
// 16 kHz (m.SRC). r draws the self-noise.
//
// Self-noise: a capsule with a datasheet figure (m.SelfNoise, dB(A) SPL)
// at dist > 0 adds white noise at m.SelfNoise + selfNoiseBand −
// speechSPL(dist) dB re the active speech level at the capsule, so a
// phone 2 m from a loudspeaker is 12 dB noisier than one 0.5 m away. Line
// inputs, the line input of a device fed by a wire, and microphones
// without a figure use m.NoiseDB (re the active speech level).
func (c *channel) record(r *rand.Rand, x []float64, m Microphone, wire bool, dist float64) {
	acoustic := !m.Line && !wire
	if acoustic {
		if m.Gradient && dist > 0 {
			proximity(x, dist)
		}
		applyPeaks(x, m.Peaks)
	}
	lvl := activeLevel(x)
	if lvl == 0 {
		return
	}
	noiseDB := m.NoiseDB
	if acoustic && m.SelfNoise > 0 && dist > 0 {
		noiseDB = m.SelfNoise + selfNoiseBand - speechSPL(dist)
	}
	g := lvl * db(noiseDB)
	for i := range x {
		x[i] += g * r.NormFloat64()
	}
	switch {
	case m.Line:
		butterworth(x, m.Low, 2, true)
		butterworth(x, m.High, m.HighOrder, false)
	case wire: // into the device's line input: coupling high-pass, anti-alias low-pass
		butterworth(x, 20, 2, true)
		butterworth(x, m.High, m.HighOrder, false)
	default:
		butterworth(x, m.Low, m.LowOrder, true)
		butterworth(x, m.High, m.HighOrder, false)
	}
	if m.AGC > 0 && !wire {
		agc(x, m.AGC, activeLevel(x))
	}
	c.resample(x, m.SRC)
}

// proximity applies the near-field bass boost of a first-order cardioid
// capsule dist m from a point source. A cardioid responds to
// ½(pressure + pressure gradient); for a spherical wave the gradient term
// is p·(1 + 1/(jkr)), so the response relative to the far field is
//
//	H(jω) = 1 + c/(2jωr) = (jω + ω0)/(jω),  ω0 = c/(2r)
//
// (+3 dB at ω = ω0, +6 dB per octave below; 55 Hz at 0.5 m, 1.4 kHz at
// 2 cm). The pole at DC is moved to 5 Hz to keep the filter stable; the
// capsule's own high-pass follows. Bilinear transform, K = 2·Rate (no
// pre-warping: both corners are far below Nyquist).
func proximity(x []float64, dist float64) {
	const c = 343.0
	w0 := c / (2 * dist)
	wp := 2 * math.Pi * 5
	k := 2.0 * Rate
	b0, b1 := (k+w0)/(k+wp), (w0-k)/(k+wp)
	a1 := (wp - k) / (k + wp)
	var x1, y1 float64
	for i, v := range x {
		y := b0*v + b1*x1 - a1*y1
		x1, y1 = v, y
		x[i] = y
	}
}

// agc is a feed-forward automatic gain control: an RMS envelope with 10 ms
// attack and 400 ms release, a gain pulling the envelope towards the
// target level (gain = (target/env)^strength, limited to −6…+20 dB), and the
// gain smoothed over 50 ms. It compresses speech dynamics and lifts the
// noise in pauses, as phone AGCs do.
func agc(x []float64, strength, target float64) {
	aA := math.Exp(-1 / (0.010 * Rate))
	aR := math.Exp(-1 / (0.400 * Rate))
	aG := math.Exp(-1 / (0.050 * Rate))
	env := target * target
	g := 1.0
	gmin, gmax := db(-6*strength), db(20*strength)
	want := 1.0
	for i, v := range x {
		p := v * v
		if p > env {
			env = aA*env + (1-aA)*p
		} else {
			env = aR*env + (1-aR)*p
		}
		if i%frameSamples == 0 { // the gain law changes slowly: once per ms
			want = math.Pow(target*target/(env+1e-20), strength/2)
			want = math.Min(math.Max(want, gmin), gmax)
		}
		g = aG*g + (1-aG)*want
		x[i] = v * g
	}
}
