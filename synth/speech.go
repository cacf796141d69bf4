package synth

import (
	"math"
	"math/rand/v2"
)

// The speech synthesiser is a Klatt-style formant synthesiser (D. H. Klatt,
// "Software for a cascade/parallel formant synthesizer", JASA 67, 1980),
// written here because no Go library offers one:
//
//   - Parameter tracks at a 1 ms frame rate (formants F1–F4, bandwidths,
//     voicing, aspiration and frication amplitudes, frication centre,
//     nasal coupling, F0) are built from each segment's targets; segments
//     without own formant targets take them from their neighbours, and the
//     formant tracks are smoothed with a zero-phase first-order filter
//     (τ = 12 ms), which yields the moving formant transitions of real
//     speech.
//   - Voicing is a Rosenberg (1971) glottal pulse train, differentiated
//     (which folds in the +6 dB/octave lip radiation): with open phase
//     Te = OQ·T0, rising for 2/3 of it, g(t) = ½(1−cos(πt/Tp)) for t < Tp and
//     cos(π(t−Tp)/(2Tn)) for Tp ≤ t < Tp+Tn, zero when closed. Each period
//     draws jitter and shimmer. Breathiness adds noise modulated by g.
//   - The laryngeal source feeds a cascade of resonators
//     y[n] = A·x[n] + B·y[n−1] + C·y[n−2], C = −e^(−2πBT), B = 2e^(−πBT)cos(2πFT),
//     A = 1−B−C (unit gain at DC), F1–F4 from the tracks and F5 fixed, with a
//     nasal pole/zero pair that cancels outside nasals.
//   - Frication and bursts are noise through two band-pass sections in
//     parallel with the cascade.
const frameSamples = Rate / 1000 // 1 ms parameter frames

// tracks holds the per-frame synthesis parameters of one take.
type tracks struct {
	n                  int
	f                  [4][]float64
	av, ah, af         []float64
	fricF, fricBW, nas []float64
	nasZ               []float64
	f0                 []float64
}

func (t *tracks) resize(n int) {
	t.n = n
	for i := range t.f {
		t.f[i] = grow(t.f[i], n)
	}
	t.av = grow(t.av, n)
	t.ah = grow(t.ah, n)
	t.af = grow(t.af, n)
	t.fricF = grow(t.fricF, n)
	t.fricBW = grow(t.fricBW, n)
	t.nas = grow(t.nas, n)
	t.nasZ = grow(t.nasZ, n)
	t.f0 = grow(t.f0, n)
}

// Take describes one spoken rendition: who says what, with which prosody.
type Take struct {
	Voice   Voice
	Phrase  string
	Lead    float64 // leading silence (s)
	Trail   float64 // trailing silence (s)
	Tempo   float64 // take-level rate multiplier
	F0Shift float64 // take-level F0 multiplier
	Effort  float64 // vocal effort: scales the accent and the source tilt
}

// NewTake draws a take's prosody for a voice and phrase from r.
func NewTake(r *rand.Rand, v Voice, phrase string) Take {
	return Take{
		Voice:   v,
		Phrase:  phrase,
		Lead:    uniform(r, 0.25, 0.7),
		Trail:   uniform(r, 0.3, 0.8),
		Tempo:   uniform(r, 0.9, 1.1),
		F0Shift: uniform(r, 0.93, 1.07),
		Effort:  uniform(r, 0.8, 1.2),
	}
}

// speaker holds the scratch buffers of one synthesis goroutine.
type speaker struct {
	tr      tracks
	lastRMS float64 // RMS of the last take before normalisation (tests)
}

// stop-consonant loci of F2/F3 (Hz): where transitions point during closure.
var loci = [...][2]float64{labial: {900, 2200}, alveolar: {1750, 2700}, velar: {0, 0}}

// burst centre frequencies per place (Hz) and bandwidths.
var bursts = [...][2]float64{labial: {1200, 2500}, alveolar: {4200, 2500}, velar: {2200, 1200}}

// speak renders a take to out (resized), at Rate, peak-normalised.
// r supplies the per-take random detail (durations, pauses, jitter, noise).
func (s *speaker) speak(r *rand.Rand, tk Take) []float64 {
	return s.speakSegments(r, tk, phraseSegments(tk.Phrase))
}

// speakSegments renders a take of the given segment sequence.
func (s *speaker) speakSegments(r *rand.Rand, tk Take, segs []segment) []float64 {
	v := tk.Voice
	rate := v.Rate * tk.Tempo

	// Segment timing (in frames), with per-segment duration jitter, phrase
	// final lengthening and optional pauses at word boundaries.
	type timed struct {
		seg        segment
		start, len int
		pause      int // frames of pause after the segment
	}
	ts := make([]timed, len(segs))
	lead := int(tk.Lead * 1000)
	pos := lead
	for i, sg := range segs {
		d := sg.ph.dur / rate * math.Exp(0.12*r.NormFloat64())
		if sg.stressed {
			d *= 1.35
		}
		if i >= len(segs)-3 {
			d *= 1.25
		}
		n := max(int(d*1000), 20)
		ts[i] = timed{seg: sg, start: pos, len: n}
		pos += n
		if sg.wordEnd && i < len(segs)-1 && r.Float64() < 0.18 {
			ts[i].pause = 40 + r.IntN(110)
			pos += ts[i].pause
		}
	}
	speechEnd := pos
	nf := pos + int(tk.Trail*1000)
	// Keep utterances within 1.5–5 s (DESIGN §6) by adjusting the silences.
	if nf < 1500 {
		nf = 1500
	}
	if nf > 5000 {
		nf = 5000
	}
	s.tr.resize(nf)
	tr := &s.tr
	nan := math.NaN()
	for i := range nf {
		for k := range 4 {
			tr.f[k][i] = nan
		}
		tr.av[i], tr.ah[i], tr.af[i], tr.nas[i] = 0, 0, 0, 0
		tr.fricF[i], tr.fricBW[i], tr.nasZ[i] = nan, nan, nan
	}
	set := func(a, b int, fn func(i int, x float64)) {
		b = min(b, nf)
		for i := a; i < b; i++ {
			fn(i, float64(i-a)/float64(max(b-a, 1)))
		}
	}
	for idx, t := range ts {
		ph := t.seg.ph
		a, b := t.start, t.start+t.len
		amp := 1.0
		if !t.seg.stressed && ph.class == classVowel {
			amp = 0.8
		}
		switch ph.class {
		case classVowel, classApprox, classNasal:
			av := amp
			switch ph.class {
			case classApprox:
				av = 0.65
			case classNasal:
				av = 0.5
			}
			set(a, b, func(i int, x float64) {
				for k := range 4 {
					f := ph.f[k]
					if ph.fEnd[k] != 0 {
						f += (ph.fEnd[k] - f) * x
					}
					tr.f[k][i] = f
				}
				tr.av[i] = av
				tr.ah[i] = 0.02
				if ph.class == classNasal {
					tr.nas[i] = 1
					tr.nasZ[i] = ph.nasalZ
				}
			})
		case classFric:
			set(a, b, func(i int, x float64) {
				if ph.voiced {
					tr.av[i] = 0.35
				}
				tr.af[i] = ph.fricA
				tr.fricF[i], tr.fricBW[i] = ph.fric, ph.fricBW
			})
		case classAspir:
			set(a, b, func(i int, x float64) { tr.ah[i] = 0.35 })
		case classStop, classAffric:
			// closure, burst, then aspiration (voiceless) or frication.
			clo := t.len * 6 / 10
			burst := 6
			loc := loci[ph.place]
			set(a, a+clo, func(i int, x float64) {
				tr.f[0][i] = 250
				if loc[0] != 0 {
					tr.f[1][i], tr.f[2][i] = loc[0], loc[1]
				}
				if ph.voiced {
					tr.av[i] = 0.12 // voice bar
				}
			})
			bf := bursts[ph.place]
			if ph.place == velar && idx+1 < len(ts) && ts[idx+1].seg.ph.f[1] != 0 {
				bf[0] = ts[idx+1].seg.ph.f[1] * 1.15 // velar burst sits near the next F2
			}
			set(a+clo, a+clo+burst, func(i int, x float64) {
				tr.af[i] = 0.9 * (1 - x)
				tr.fricF[i], tr.fricBW[i] = bf[0], bf[1]
			})
			rest := a + clo + burst
			if ph.class == classAffric {
				set(rest, b, func(i int, x float64) {
					tr.af[i] = ph.fricA
					tr.fricF[i], tr.fricBW[i] = ph.fric, ph.fricBW
					if ph.voiced {
						tr.av[i] = 0.3
					}
				})
			} else if !ph.voiced {
				vot := 35 + r.IntN(30)
				set(rest, rest+vot, func(i int, x float64) { tr.ah[i] = 0.3 * (1 - 0.5*x) })
			}
		}
	}
	fillGaps(tr.f[:], nf, [4]float64{500, 1500, 2500, 3500})
	fillGaps([][]float64{tr.fricF, tr.fricBW, tr.nasZ}, nf, [4]float64{4000, 3000, 270})
	for k := range 4 {
		smooth(tr.f[k], 12)
	}
	smooth(tr.av, 4)
	smooth(tr.ah, 3)
	smooth(tr.af, 1.5)
	smooth(tr.nas, 6)

	// F0: declination across the phrase, Gaussian accents on stressed
	// vowels, a final fall and a slow random drift.
	f0 := v.F0 * tk.F0Shift
	t0, t1 := float64(lead), float64(speechEnd)
	ph1, ph2 := r.Float64()*2*math.Pi, r.Float64()*2*math.Pi
	for i := range nf {
		x := (float64(i) - t0) / (t1 - t0)
		x = min(max(x, 0), 1)
		lf := math.Log(f0) + 0.10 - 0.22*x
		lf += 0.02*math.Sin(2*math.Pi*float64(i)/430+ph1) + 0.015*math.Sin(2*math.Pi*float64(i)/170+ph2)
		tr.f0[i] = lf
	}
	for _, t := range ts {
		if t.seg.stressed {
			c := float64(t.start) + 0.4*float64(t.len)
			h := v.Accent * tk.Effort * uniform(r, 0.6, 1.2)
			for i := max(int(c)-200, 0); i < min(int(c)+200, nf); i++ {
				d := (float64(i) - c) / 70
				tr.f0[i] += h * math.Exp(-0.5*d*d)
			}
		}
	}
	for i := range nf {
		tr.f0[i] = math.Exp(tr.f0[i])
	}

	return s.render(r, v, tk)
}

// fillGaps replaces NaN runs of each track by linear interpolation between
// the neighbouring defined values (or def[k] when a track has none).
func fillGaps(ts [][]float64, n int, def [4]float64) {
	for k, t := range ts {
		last := -1
		for i := 0; i <= n; i++ {
			if i < n && math.IsNaN(t[i]) {
				continue
			}
			// t[last] and t[i] defined (or edges), fill (last, i)
			var a, b float64
			switch {
			case last < 0 && i == n:
				a, b = def[k], def[k]
			case last < 0:
				a, b = t[i], t[i]
			case i == n:
				a, b = t[last], t[last]
			default:
				a, b = t[last], t[i]
			}
			for j := last + 1; j < i; j++ {
				x := float64(j-last) / float64(i-last)
				t[j] = a + (b-a)*x
			}
			last = i
		}
	}
}

// smooth runs a first-order low-pass with time constant tau frames forwards
// then backwards (zero phase).
func smooth(x []float64, tau float64) {
	if len(x) == 0 {
		return
	}
	a := math.Exp(-1 / tau)
	y := x[0]
	for i, v := range x {
		y = a*y + (1-a)*v
		x[i] = y
	}
	y = x[len(x)-1]
	for i := len(x) - 1; i >= 0; i-- {
		y = a*y + (1-a)*x[i]
		x[i] = y
	}
}

// fricGain sets frication against voicing: /s/ about 10 dB below an open
// vowel, /f/ and /θ/ about 25 dB below (Stevens, Acoustic Phonetics, ch. 8).
const fricGain = 0.4

// setBandpass updates q in place to the cookbook band-pass (0 dB peak) at
// f Hz with bandwidth bw Hz, keeping the filter state.
func (q *biquad) setBandpass(f, bw float64) {
	n := bandpass(f, bw)
	q.b0, q.b1, q.b2, q.a1, q.a2 = n.b0, n.b1, n.b2, n.a1, n.a2
}

// step filters one sample.
func (q *biquad) step(v float64) float64 {
	y := q.b0*v + q.s1
	q.s1 = q.b1*v - q.a1*y + q.s2
	q.s2 = q.b2*v - q.a2*y
	return y
}

// resonator is Klatt's digital resonator; antiresonator its inverse.
type resonator struct{ a, b, c, y1, y2 float64 }

func (q *resonator) set(f, bw float64) {
	const T = 1.0 / Rate
	q.c = -math.Exp(-2 * math.Pi * bw * T)
	q.b = 2 * math.Exp(-math.Pi*bw*T) * math.Cos(2*math.Pi*f*T)
	q.a = 1 - q.b - q.c
}

func (q *resonator) step(x float64) float64 {
	y := q.a*x + q.b*q.y1 + q.c*q.y2
	q.y2, q.y1 = q.y1, y
	return y
}

type antiresonator struct{ a, b, c, x1, x2 float64 }

func (q *antiresonator) set(f, bw float64) {
	var r resonator
	r.set(f, bw)
	q.a, q.b, q.c = 1/r.a, -r.b/r.a, -r.c/r.a
}

func (q *antiresonator) step(x float64) float64 {
	y := q.a*x + q.b*q.x1 + q.c*q.x2
	q.x2, q.x1 = q.x1, x
	return y
}

// render runs the source-filter model over the tracks.
func (s *speaker) render(r *rand.Rand, v Voice, tk Take) []float64 {
	tr := &s.tr
	n := tr.n * frameSamples
	out := make([]float64, n)
	var casc [5]resonator
	var npole resonator
	var nzero antiresonator
	var fr1, fr2 biquad
	baseBW := [5]float64{70, 90, 140, 220, 300}
	tilt := min(v.Tilt*tk.Effort, 0.8)
	var tiltY float64
	// glottal state
	var phase, period, tp, tn, pamp float64
	var gPrev float64
	var fricPrev float64
	newPeriod := func(f0 float64) {
		period = Rate / f0 * (1 + v.Jitter*r.NormFloat64())
		te := v.OQ * period
		tp, tn = te*2/3, te/3
		pamp = 1 + v.Shimmer*r.NormFloat64()
		phase = 0
	}
	newPeriod(tr.f0[0])
	for fi := range tr.n {
		// frame coefficients
		for k := range 4 {
			bw := baseBW[k] * v.BwScale
			if k == 0 && tr.nas[fi] > 0 {
				bw += 60 * tr.nas[fi]
			}
			casc[k].set(tr.f[k][fi]*v.Scale, bw)
		}
		casc[4].set(3900*v.Scale, baseBW[4]*v.BwScale)
		fnz := 270 + (tr.nasZ[fi]-270)*tr.nas[fi]
		npole.set(270, 100)
		nzero.set(fnz, 100)
		av, ah, af, f0 := tr.av[fi], tr.ah[fi], tr.af[fi], tr.f0[fi]
		if af < 1e-6 { // below −120 dB: silent
			af = 0
		} else {
			ff, fbw := math.Min(tr.fricF[fi]*math.Sqrt(v.Scale), 7400), tr.fricBW[fi]
			fr1.setBandpass(ff, fbw)
			fr2.setBandpass(ff, fbw*1.4)
		}
		for j := range frameSamples {
			// glottal flow
			var g float64
			switch {
			case phase < tp:
				g = 0.5 * (1 - math.Cos(math.Pi*phase/tp))
			case phase < tp+tn:
				g = math.Cos(0.5 * math.Pi * (phase - tp) / tn)
			}
			phase++
			if phase >= period {
				newPeriod(f0)
			}
			dg := (g - gPrev) * pamp
			gPrev = g
			src := dg * av * 8
			// breathiness and aspiration
			if a := ah*0.25 + v.Breath*av*g*0.6; a > 1e-6 { // below −120 dB: silent
				src += r.NormFloat64() * a
			}
			tiltY = (1-tilt)*src + tilt*tiltY
			x := tiltY
			x = nzero.step(npole.step(x))
			for k := range casc {
				x = casc[k].step(x)
			}
			// frication: differenced noise through two band-passes (idle,
			// and drawing no noise, while the frication amplitude is 0)
			if af != 0 {
				fn := r.NormFloat64()
				d := fn - fricPrev
				fricPrev = fn
				x += fr2.step(fr1.step(d)) * af * fricGain
			}
			out[fi*frameSamples+j] = x
		}
	}
	highpass1(out, 50)
	s.lastRMS = rms(out)
	var peak float64
	for _, x := range out {
		peak = max(peak, math.Abs(x))
	}
	if peak > 0 {
		for i := range out {
			out[i] /= peak
		}
	}
	return out
}
