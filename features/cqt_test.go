package features

import (
	"math"
	"testing"
)

func defaultCQT(t testing.TB) *cqt {
	t.Helper()
	c, err := newCQT(16000, 128, 96, 9, 8000)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sine returns a·sin(2πft/16000 + φ) for t in [from, n), zeros before.
func sine(f, a, phi float64, from, n int) []float32 {
	x := make([]float32, n)
	for i := from; i < n; i++ {
		x[i] = float32(a * math.Sin(2*math.Pi*f*float64(i)/16000+phi))
	}
	return x
}

// Independent expectations: f_k = 15.625·2^(k/96), Q = 1/(2^(1/96) − 1).
var (
	cqFmin = 8000 / math.Exp2(9)
	cqQ    = 1 / (math.Exp2(1.0/96) - 1)
)

// A tone peaks at the bin nearest its frequency on the log axis and, away
// from the edges, has magnitude equal to its amplitude at a bin centre.
func TestCQTTonePeaksAtItsBin(t *testing.T) {
	c := defaultCQT(t)
	for _, tc := range []struct {
		f       float64
		checkAt bool // steady state reached: compare the magnitude
	}{
		{70, false}, {100, false}, {440, true}, {1000, true}, {cqFmin * math.Exp2(700.0/96), true},
		{3001.7, true}, {7300, true},
	} {
		const a = 0.3
		x := sine(tc.f, a, 0.4, 0, 32000)
		logP, nf, err := c.logPower(nil, x)
		if err != nil {
			t.Fatal(err)
		}
		mid := nf / 2
		best, bp := 0, math.Inf(-1)
		for k := 0; k < c.k; k++ {
			if p := float64(logP[k*nf+mid]); p > bp {
				best, bp = k, p
			}
		}
		want := 96 * math.Log2(tc.f/cqFmin)
		if math.Abs(float64(best)-want) > 0.5+1e-9 {
			t.Errorf("%.1f Hz peaks at bin %d (%.1f Hz), want bin %.2f", tc.f, best, c.freqs[best], want)
		}
		if tc.checkAt {
			// Magnitude at the peak: A·g(f) with g the Hann window, here
			// ≥ A·cos²(π/4) = A/2 for |f − f_k| ≤ b_k/2; at a bin centre = A.
			mag := math.Sqrt(math.Exp(bp))
			d := (tc.f - c.freqs[best]) / (c.freqs[best] / cqQ)
			wantMag := a * 0.5 * (1 + math.Cos(math.Pi*d))
			if math.Abs(mag/wantMag-1) > 0.02 {
				t.Errorf("%.1f Hz: peak magnitude %.4f, want %.4f", tc.f, mag, wantMag)
			}
		}
	}
}

// Q is constant: for a unit impulse (flat spectrum), the energy of bin k
// summed over all frames is (4M/L²)·Σ_j g_k(f_j)² ≈ 3·b_k/(hop·fs), which
// gives each bin's bandwidth b_k; f_k/b_k must equal Q in every octave.
func TestCQTConstantQ(t *testing.T) {
	c := defaultCQT(t)
	n := 1 << 17 // 8.192 s: frames = M, DFT step 0.122 Hz
	x := make([]float32, n)
	x[n/2] = 1
	logP, nf, err := c.logPower(nil, x)
	if err != nil {
		t.Fatal(err)
	}
	if nf != n/128 {
		t.Fatalf("%d frames, want %d", nf, n/128)
	}
	octaves := map[int]bool{}
	for k := 4 * 96; k < c.k; k += 7 {
		e := 0.0
		for m := 0; m < nf; m++ {
			e += math.Exp(float64(logP[k*nf+m])) - eps
		}
		b := e * 128 * 16000 / 3
		q := c.freqs[k] / b
		if math.Abs(q/cqQ-1) > 0.02 {
			t.Errorf("bin %d (%.1f Hz): bandwidth %.3f Hz gives Q = %.2f, want %.2f", k, c.freqs[k], b, q, cqQ)
		}
		octaves[k/96] = true
	}
	if len(octaves) != 5 {
		t.Fatalf("tested octaves %v", octaves)
	}
}

// An onset appears at the right frame: for a tone at a bin centre switched
// on at sample s0, the bin's magnitude (the step response of a symmetric
// band-pass) crosses half its final value at s0; frame m is centred at
// sample m·hop.
func TestCQTOnsetTiming(t *testing.T) {
	c := defaultCQT(t)
	for _, tc := range []struct {
		bin int
		s0  int
	}{{672, 8037}, {800, 9001}, {480, 12345}} {
		f := c.freqs[tc.bin]
		const a = 0.5
		x := sine(f, a, 0, tc.s0, 24000)
		logP, nf, err := c.logPower(nil, x)
		if err != nil {
			t.Fatal(err)
		}
		mag := func(m int) float64 { return math.Sqrt(math.Exp(float64(logP[tc.bin*nf+m]))) }
		cross := -1.0
		for m := 1; m < nf; m++ {
			if m0, m1 := mag(m-1), mag(m); m0 < a/2 && m1 >= a/2 {
				cross = float64(m-1) + (a/2-m0)/(m1-m0)
				break
			}
		}
		got := cross * 128
		if math.Abs(got-float64(tc.s0)) > 32 {
			t.Errorf("bin %d (%.0f Hz): onset at sample %d detected at %.1f (frame %.2f)", tc.bin, f, tc.s0, got, cross)
		}
		// Long after the onset the magnitude is the amplitude.
		if m := mag(int(float64(tc.s0)/128) + 60); math.Abs(m/a-1) > 0.02 {
			t.Errorf("bin %d: steady magnitude %v, want %v", tc.bin, m, a)
		}
	}
}

// BenchmarkCQCC extracts CQCC (90 dims) from 3 s of noise on one core and
// reports audio seconds per second (the official Python port of CQCC takes
// about 3 s per ASVspoof file, i.e. about 1 audio-s/s):
//
//	go test ./features -run '^$' -bench 'CQCC|LFCC' -cpu 1
func BenchmarkCQCC(b *testing.B) {
	e, err := New(DefaultConfig(CQCC))
	if err != nil {
		b.Fatal(err)
	}
	x := noise(9, 3*16000, 0.3) // 3 s, a typical ASVspoof 2017 utterance
	var m Matrix
	benchAudio(b, 3, func() error { return e.Extract(&m, x) })
}

// benchAudio runs f, which processes seconds of audio, b.N times and
// reports audio seconds per wall-clock second (audio-s/s) and per CPU
// second of the whole process (audio-s/cpu-s; with -cpu 1 the two agree on
// an idle machine, and the second is robust to other load).
func benchAudio(b *testing.B, seconds float64, f func() error) {
	b.ResetTimer()
	c0 := cpuSeconds()
	for b.Loop() {
		if err := f(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(seconds*float64(b.N)/b.Elapsed().Seconds(), "audio-s/s")
	if c := cpuSeconds() - c0; c > 0 {
		b.ReportMetric(seconds*float64(b.N)/c, "audio-s/cpu-s")
	}
}

func TestLogPowers(t *testing.T) {
	src := []complex64{0, 1, 1i, complex(3, -4), complex(1e-20, 0), complex(0.01, 0.02)}
	for v := 1e-9; v < 1e9; v *= 1.0137 {
		src = append(src, complex(float32(v), float32(v/3)))
	}
	dst := make([]float32, len(src))
	re, im := make([]float32, len(src)), make([]float32, len(src))
	for m, v := range src {
		re[m], im[m] = real(v), imag(v)
	}
	logPowers(dst, re, im, 0.5)
	for m, v := range src {
		p := (float64(real(v))*float64(real(v)) + float64(imag(v))*float64(imag(v))) * 0.5
		if want := float32(math.Log(p + eps)); math.Abs(float64(dst[m]-want)) > 1e-6*math.Max(1, math.Abs(float64(want))) {
			t.Errorf("ln power of %v: %v, want %v", v, dst[m], want)
		}
	}
}

// synth equals the inverse DFT by definition.
func TestSynthMatchesDFT(t *testing.T) {
	for _, n := range []int{1, 2, 4, 8, 64, 512} {
		s := newSynth(n)
		X := make([]complex128, n)
		for q := range X {
			X[q] = complex(math.Sin(float64(3*q+1)), math.Cos(float64(q*q)))
		}
		re, im := make([]float32, n), make([]float32, n)
		for q, v := range X {
			re[s.rev[q]], im[s.rev[q]] = float32(real(v)), float32(imag(v))
		}
		s.run(re, im)
		for m := 0; m < n; m++ {
			var want complex128
			for q, v := range X {
				want += v * complex(math.Cos(2*math.Pi*float64(q*m)/float64(n)), math.Sin(2*math.Pi*float64(q*m)/float64(n)))
			}
			if d := math.Hypot(float64(re[m])-real(want), float64(im[m])-imag(want)); d > 1e-5*float64(n) {
				t.Fatalf("n=%d x[%d] = (%v, %v), want %v", n, m, re[m], im[m], want)
			}
		}
	}
}
