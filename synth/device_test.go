package synth

import (
	"fmt"
	"math"
	"math/cmplx"
	"sort"
	"testing"

	"gonum.org/v1/gonum/dsp/fourier"
)

// TestSpeexResponse checks the resampler responses against windowed-sinc
// theory: unity in the pass band, half amplitude (−6 dB) at the sinc's
// cut-off, and the Kaiser window's stop band (β = 12: ≈ 117 dB, reached
// within half of the transition width (A − 8)/(2.285·2π·N)·16 kHz ≈ 474 Hz
// above the cut-off for quality 10).
func TestSpeexResponse(t *testing.T) {
	for q := 0; q <= 10; q++ {
		r, err := SpeexQuality(q)
		if err != nil {
			t.Fatal(err)
		}
		fc := r.Cutoff * Rate / 2
		if g := r.Response(0); math.Abs(g-1) > 1e-12 {
			t.Errorf("q%d: DC gain %g", q, g)
		}
		if g := r.Response(fc); math.Abs(g-0.5) > 0.03 {
			t.Errorf("q%d: gain at the cut-off %.0f Hz = %.3f, want 0.5", q, fc, g)
		}
		if q >= 4 {
			if g := r.Response(0.5 * fc); math.Abs(g-1) > 0.01 {
				t.Errorf("q%d: pass-band gain at %.0f Hz = %.4f", q, 0.5*fc, g)
			}
		}
	}
	r := speex(10)
	if g := 20 * math.Log10(math.Abs(r.Response(8300))); g > -80 {
		t.Errorf("q10 at 8.3 kHz: %.1f dB, want below −80 dB", g)
	}
	if _, err := SpeexQuality(11); err == nil {
		t.Error("quality 11 accepted")
	}
	if (Resampler{}).Response(7900) != 1 {
		t.Error("zero resampler is not transparent")
	}
}

// TestResampleFIR checks that the 16 kHz FIR applied by channel.resample
// reproduces the kernel's response on sines, without delay.
func TestResampleFIR(t *testing.T) {
	var c channel
	for _, tc := range []struct {
		q int
		f float64
	}{{1, 1000}, {1, 6500}, {1, 7200}, {4, 3000}, {4, 7520}, {4, 7800}, {10, 7000}, {10, 7800}, {10, 7950}} {
		r := speex(tc.q)
		n := 8000
		x := make([]float64, n)
		for i := range x {
			x[i] = math.Sin(2 * math.Pi * tc.f * float64(i) / Rate)
		}
		c.resample(x, r)
		// amplitude and phase from the middle half (away from the edges)
		var re, im float64
		for i := n / 4; i < 3*n/4; i++ {
			s, co := math.Sincos(2 * math.Pi * tc.f * float64(i) / Rate)
			re += x[i] * s
			im += x[i] * co
		}
		amp := 2 * math.Hypot(re, im) / float64(n/2)
		phase := math.Atan2(im, re)
		want := math.Abs(r.Response(tc.f))
		if math.Abs(amp-want) > 0.01+0.02*want {
			t.Errorf("q%d at %.0f Hz: amplitude %.4f, kernel response %.4f", tc.q, tc.f, amp, want)
		}
		if want > 0.1 && math.Abs(phase) > 0.02 && math.Abs(math.Abs(phase)-math.Pi) > 0.02 {
			t.Errorf("q%d at %.0f Hz: phase %.3f rad: the FIR's delay is not removed", tc.q, tc.f, phase)
		}
	}
}

// harmonicRatio returns the total harmonic distortion (2nd to 5th
// harmonics below the Nyquist frequency, over the fundamental) of x, which
// holds a whole number of periods of f.
func harmonicRatio(x []float64, f float64) float64 {
	amp := func(h float64) float64 {
		var re, im float64
		for i, v := range x {
			s, c := math.Sincos(2 * math.Pi * h * f * float64(i) / Rate)
			re += v * s
			im += v * c
		}
		return math.Hypot(re, im)
	}
	var d float64
	for h := 2.0; h <= 5 && h*f < Rate/2; h++ {
		a := amp(h)
		d += a * a
	}
	return math.Sqrt(d) / amp(1)
}

// TestExcursionDistortion checks the loudspeaker non-linearity against its
// specification: a full-drive sine at the low cut-off distorts
// excursionRatio times more than one in the mid band, where the THD is that
// of y = u + H2·u² + H3·u³ (H2/2 and H3/4 for the 2nd and 3rd harmonics).
func TestExcursionDistortion(t *testing.T) {
	// no filters (orders 0), so the harmonics are measured as generated
	ls := Loudspeaker{Low: 100, High: 7900, H2: 0.004, H3: 0.006}
	var c channel
	thd := func(f float64) float64 {
		n := 16000 // 1 s: whole periods of 100 Hz and 2 kHz
		x := make([]float64, 2*n)
		for i := range x {
			x[i] = math.Sin(2 * math.Pi * f * float64(i) / Rate)
		}
		c.play(x, ls, false)
		return harmonicRatio(x[n:], f) // after the filters' start-up
	}
	mid := math.Hypot(ls.H2/2, ls.H3/4)
	if got := thd(2000); math.Abs(got-mid) > 0.03*mid {
		t.Errorf("THD at 2 kHz = %.5f, want %.5f (the memoryless part)", got, mid)
	}
	if got := thd(100); math.Abs(got-excursionRatio*mid) > 0.05*excursionRatio*mid {
		t.Errorf("THD at the 100 Hz cut-off = %.5f, want %g × %.5f", got, float64(excursionRatio), mid)
	}
}

// bandLevels returns the mean power in dB of x in 250 Hz bands (0–8 kHz),
// Welch-averaged over 512-sample Hann frames.
func bandLevels(x []float32) []float64 {
	const n = 512
	fft := fourier.NewFFT(n)
	p := make([]float64, n/2)
	frame := make([]float64, n)
	var coef []complex128
	for s := 0; s+n <= len(x); s += n / 2 {
		for i := range frame {
			frame[i] = float64(x[s+i]) * (0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/n))
		}
		coef = fft.Coefficients(coef, frame)
		for k := range p {
			a := cmplx.Abs(coef[k])
			p[k] += a * a
		}
	}
	bands := make([]float64, 32)
	for k := range p {
		bands[k/8] += p[k]
	}
	for i, v := range bands {
		bands[i] = 10 * math.Log10(v+1e-30)
	}
	return bands
}

// TestEveryChainCarriesACue renders a genuine take and exactly that take
// replayed, for every replay configuration of the generated protocols, and
// requires the replay to change the long-term spectrum by at least 3 dB in
// some 250 Hz band beyond an overall gain (the median band difference): a
// chain that has become an identity, or a pure gain, fails.
func TestEveryChainCarriesACue(t *testing.T) {
	seen := map[[3]string]bool{}
	var cfgs [][3]string
	for _, c := range realConfigs {
		k := [3]string{c.env, c.playback, c.recorder}
		if !seen[k] {
			seen[k] = true
			cfgs = append(cfgs, k)
		}
	}
	if testing.Short() {
		cfgs = cfgs[:10]
	}
	for _, k := range cfgs {
		gen, spf, err := Pair(3, "M0020", "S03", k[0], k[1], k[2])
		if err != nil {
			t.Fatal(err)
		}
		g, s := bandLevels(gen), bandLevels(spf)
		d := make([]float64, len(g))
		for i := range g {
			d[i] = s[i] - g[i]
		}
		sorted := append([]float64(nil), d...)
		sort.Float64s(sorted)
		med := sorted[len(sorted)/2]
		var worst float64
		for _, v := range d {
			worst = math.Max(worst, math.Abs(v-med))
		}
		name := fmt.Sprintf("%s-%s-%s", k[0], k[1], k[2])
		if worst < 3 {
			t.Errorf("%s: the replay changes no 250 Hz band by 3 dB beyond a gain (max %.2f dB): the chain is nearly an identity", name, worst)
		}
	}
}

// TestSoXHigh checks the SoX decimation filter against SoX's specification
// of its default quality: about −3 dB at 95 % of the 8 kHz band (7.6 kHz),
// flat below, and its 125 dB rejection reached by 8 kHz.
func TestSoXHigh(t *testing.T) {
	r := SoXHigh()
	if g := 20 * math.Log10(r.Response(7600)); g > -1.5 || g < -4.5 {
		t.Errorf("at 7.6 kHz: %.2f dB, want about −3 dB", g)
	}
	if g := 20 * math.Log10(r.Response(7000)); math.Abs(g) > 0.05 {
		t.Errorf("at 7 kHz: %.3f dB, want flat", g)
	}
	if g := 20 * math.Log10(math.Abs(r.Response(8000))); g > -125 {
		t.Errorf("at 8 kHz: %.1f dB, want below −125 dB", g)
	}
}

// TestSelfNoiseLevel checks a capsule's self-noise against its datasheet
// figure: a 1 kHz tone recorded at distance d gains white noise at
// SelfNoise − 4 dB (the 0–8 kHz share of the 20 Hz–20 kHz figure) −
// (62.35 − 20·log10 d) dB re its level (ANSI S3.5 speech at normal effort).
// The expected values are worked by hand; a line input (wire) uses NoiseDB.
func TestSelfNoiseLevel(t *testing.T) {
	// No band limits (butterworth skips 0 Hz and ≥ 0.49 × 16 kHz; a wire's
	// 20 Hz coupling high-pass is applied to the reference too), so the
	// white noise keeps its full level.
	m := Microphone{Low: 0, LowOrder: 2, High: 7900, HighOrder: 4, SelfNoise: 29, NoiseDB: -80}
	for _, c := range []struct {
		name string
		dist float64
		wire bool
		want float64 // dB re the active level
	}{
		{"phone at 0.3 m", 0.3, false, 29 - 3.979 - (62.35 + 10.457)}, // −47.79
		{"phone at 2 m", 2, false, 29 - 3.979 - (62.35 - 6.021)},      // −31.31
		{"line input", 2, true, -80},
	} {
		n := 3 * Rate
		x := make([]float64, n)
		for i := range x {
			x[i] = 0.1 * math.Sin(2*math.Pi*1000*float64(i)/Rate)
		}
		clean := append([]float64(nil), x...)
		lvl := activeLevel(clean) // the level at the capsule
		if c.wire {
			butterworth(clean, 20, 2, true)
		} else {
			butterworth(clean, m.Low, m.LowOrder, true)
		}
		butterworth(clean, m.High, m.HighOrder, false)
		var ch channel
		ch.record(newRand(1, "selfnoise", c.name), x, m, c.wire, c.dist)
		for i := range x {
			x[i] -= clean[i]
		}
		got := 20 * math.Log10(rms(x)/lvl)
		if math.Abs(got-c.want) > 0.2 {
			t.Errorf("%s: self-noise %.2f dB re speech, want %.2f", c.name, got, c.want)
		}
	}
}

// TestProximity checks the cardioid's near-field boost against the
// point-source theory |1 + c/(2jωr)| = √(1 + (c/(2ωr))²): +3 dB at
// c/(4πr) (55 Hz at 0.5 m), flat far above it.
func TestProximity(t *testing.T) {
	for _, r := range []float64{0.5, 0.05} {
		for _, f := range []float64{40, 55, 100, 300, 1000, 4000} {
			n := 4 * Rate
			x := make([]float64, n)
			for i := range x {
				x[i] = math.Sin(2 * math.Pi * f * float64(i) / Rate)
			}
			proximity(x, r)
			got := 20 * math.Log10(rms(x[Rate:])*math.Sqrt2)
			w := 343 / (2 * 2 * math.Pi * f * r)
			want := 10 * math.Log10(1+w*w)
			if math.Abs(got-want) > 0.15 {
				t.Errorf("r %g m, %g Hz: %.2f dB, want %.2f", r, f, got, want)
			}
		}
	}
}

// TestAnechoicLowBand checks the anechoic room's modes below its cut-off
// (lowBandModes, part of E01's and E23's responses), averaged over 200
// draws: almost all their energy lies below 200 Hz (a 2nd-order low-pass at
// 100 Hz leaves about 4 % of white noise's energy above 200 Hz:
// ∫(100/f)⁴ df from 200 Hz over its 111 Hz noise bandwidth); they decay at
// RT60 0.077 s (the energy 50–70 ms after the direct sound is
// 60 × 0.04/0.077 = 31.2 dB below that at 10–30 ms); and their mean energy
// matches the critical-distance law, (d/r_c)² × the direct sound's energy
// in the low-pass's noise bandwidth (1.1107 × 100 Hz for a 2nd-order
// Butterworth, out of 8 kHz), with r_c = 0.057·√(V/T) at T = 0.077 s.
func TestAnechoicLowBand(t *testing.T) {
	env := EnvironmentOf("E01")
	if env.CutOff != 100 || env.RT60Low != 0.077 {
		t.Fatalf("E01: cut-off %g Hz, RT60 below %g s", env.CutOff, env.RT60Low)
	}
	n := int(1.1 * env.RT60Low * Rate)
	if got := len(roomResponse(newRand(1, "e01"), env)); got != n {
		t.Errorf("E01 response: %d samples, want %d (1.1 × RT60 below the cut-off)", got, n)
	}
	const seeds = 200
	var total, low, high, early, late float64
	fft := fourier.NewFFT(n)
	for s := range seeds {
		h := make([]float64, n)
		lowBandModes(newRand(uint64(s), "modes"), h, env, 1)
		for i, v := range h {
			total += v * v / seeds
			switch {
			case i >= int(0.010*Rate) && i < int(0.030*Rate):
				early += v * v
			case i >= int(0.050*Rate) && i < int(0.070*Rate):
				late += v * v
			}
		}
		for k, c := range fft.Coefficients(nil, h) {
			e := real(c)*real(c) + imag(c)*imag(c)
			if float64(k)*Rate/float64(n) < 200 {
				low += e
			} else {
				high += e
			}
		}
	}
	if low < 9*high {
		t.Errorf("energy below 200 Hz %.3g, above %.3g: want ≥ 90 %% below", low, high)
	}
	if d := 10 * math.Log10(early/late); math.Abs(d-31.2) > 2 {
		t.Errorf("decay from 10–30 ms to 50–70 ms: %.1f dB, want 31.2 (RT60 0.077 s)", d)
	}
	rc := 0.057 * math.Sqrt(env.Volume/env.RT60Low)
	want := (env.Dist / rc) * (env.Dist / rc) * 1.1107 * env.CutOff / (Rate / 2)
	if math.Abs(total/want-1) > 0.15 {
		t.Errorf("low-band energy %.3g, want %.3g (critical distance %.2f m)", total, want, rc)
	}
}
