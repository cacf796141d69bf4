package augment

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/deep4deep/deep4deep/features"
)

// speechLike returns n samples of a harmonic signal with a syllabic
// envelope and a little noise, peak ≈ amp.
func speechLike(seed uint64, n int, amp float64) []float32 {
	r := rand.New(rand.NewPCG(seed, 3))
	x := make([]float32, n)
	f0 := 100 + 100*r.Float64()
	for i := range x {
		t := float64(i) / Rate
		v := 0.0
		for h := 1; h <= 8; h++ {
			v += math.Sin(2*math.Pi*float64(h)*f0*t) / float64(h)
		}
		env := 0.5 + 0.5*math.Sin(2*math.Pi*4*t)
		x[i] = float32(amp * (0.5*env*v + 0.01*r.NormFloat64()))
	}
	return x
}

func to64(x []float32) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = float64(v)
	}
	return y
}

// TestFIRReference compares firwin, freqzMax and filterFIR with SciPy's
// firwin, freqz and RawBoost's filterFIR (testdata/gen_fir_ref.py).
func TestFIRReference(t *testing.T) {
	data, err := os.ReadFile("testdata/fir_ref.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		FS     float64 `json:"fs"`
		Firwin []struct {
			Kind    string    `json:"kind"`
			Numtaps int       `json:"numtaps"`
			Edges   []float64 `json:"edges"`
			Taps    []float64 `json:"taps"`
		} `json:"firwin"`
		Cascade struct {
			Taps     []float64 `json:"taps"`
			FreqzMax float64   `json:"freqz_max"`
			X        []float64 `json:"x"`
			Y        []float64 `json:"y"`
			YShort   []float64 `json:"y_short"`
		} `json:"cascade"`
	}
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	for _, c := range ref.Firwin {
		h := firwin(nil, c.Numtaps, c.Edges, ref.FS, c.Kind == "bandstop")
		scale := 0.0
		for _, v := range c.Taps {
			scale = math.Max(scale, math.Abs(v))
		}
		for i := range h {
			if math.Abs(h[i]-c.Taps[i]) > 1e-12*scale {
				t.Fatalf("%s %v, %d taps: tap %d = %.17g, SciPy %.17g", c.Kind, c.Edges, c.Numtaps, i, h[i], c.Taps[i])
			}
		}
	}
	cs := ref.Cascade
	if got := freqzMax(cs.Taps); math.Abs(got-cs.FreqzMax) > 1e-12*cs.FreqzMax {
		t.Errorf("freqzMax %.17g, SciPy %.17g", got, cs.FreqzMax)
	}
	for _, tc := range []struct {
		x, want []float64
	}{{cs.X, cs.Y}, {cs.X[:40], cs.YShort}} {
		y := make([]float64, len(tc.x))
		filterFIR(y, tc.x, cs.Taps)
		if len(tc.want) != len(y) {
			t.Fatalf("filterFIR: %d samples, RawBoost %d", len(y), len(tc.want))
		}
		scale := 0.0
		for _, v := range tc.want {
			scale = math.Max(scale, math.Abs(v))
		}
		for i := range y {
			if math.Abs(y[i]-tc.want[i]) > 1e-13*scale {
				t.Fatalf("filterFIR of %d samples: y[%d] = %.17g, RawBoost %.17g", len(tc.x), i, y[i], tc.want[i])
			}
		}
	}
}

// TestFIRHandWorked checks the FIR pieces on cases worked by hand.
func TestFIRHandWorked(t *testing.T) {
	// A centred unit impulse: filterFIR keeps the samples from N/2 = 2 of
	// lfilter's output y[n] = x[n−1], i.e. x advanced by one sample (the
	// reference code's off-by-one), the last sample 0.
	x := []float64{1, 2, 3, 4, 5}
	y := make([]float64, 5)
	filterFIR(y, x, []float64{0, 1, 0})
	if want := []float64{2, 3, 4, 5, 0}; !slices.Equal(y, want) {
		t.Errorf("filterFIR δ: %v, want %v", y, want)
	}
	// [1, 1]: N = 3, keep from int(1.5) = 1: y[i] = x[i] + x[i+1].
	filterFIR(y, x, []float64{1, 1})
	if want := []float64{3, 5, 7, 9, 5}; !slices.Equal(y, want) {
		t.Errorf("filterFIR [1 1]: %v, want %v", y, want)
	}
	// A band-stop design has unit gain at 0 Hz (Σh = 1) and is symmetric.
	h := firwin(nil, 51, []float64{1000, 2000}, Rate, true)
	s := 0.0
	for i, v := range h {
		s += v
		if math.Abs(v-h[len(h)-1-i]) > 1e-16 {
			t.Fatalf("tap %d not symmetric", i)
		}
	}
	if math.Abs(s-1) > 1e-14 {
		t.Errorf("Σh = %v, want 1", s)
	}
	// freqzMax of a pure delay is 1; of [1, 1] it is 2 (at ω = 0).
	if v := freqzMax([]float64{0, 0, 1}); math.Abs(v-1) > 1e-15 {
		t.Errorf("freqzMax delay %v", v)
	}
	if v := freqzMax([]float64{1, 1}); math.Abs(v-2) > 1e-15 {
		t.Errorf("freqzMax [1 1] %v", v)
	}
}

// TestISD checks ISD against its definition: at most P % of the samples
// change, each by at most GSD·|x|, the rest are untouched.
func TestISD(t *testing.T) {
	p := DefaultRawBoost()
	x := to64(speechLike(1, 16000, 0.1))
	var st rbState
	maxFrac := 0.0
	for seed := range uint64(20) {
		y := slices.Clone(x)
		st.isd(rand.New(rand.NewPCG(seed, 0)), &p, y)
		changed := 0
		for i := range y {
			if y[i] != x[i] {
				changed++
				if math.Abs(y[i]-x[i]) > p.GSD*math.Abs(x[i])*(1+1e-12) {
					t.Fatalf("seed %d: sample %d moved by %v, more than GSD·|x| = %v", seed, i, y[i]-x[i], p.GSD*math.Abs(x[i]))
				}
			}
		}
		frac := float64(changed) / float64(len(x))
		if frac > p.P/100 {
			t.Fatalf("seed %d: %.3f of the samples changed, P = %v %%", seed, frac, p.P)
		}
		maxFrac = math.Max(maxFrac, frac)
	}
	if maxFrac < 0.03 {
		t.Errorf("at most %.3f of the samples changed over 20 draws; β ~ U(0, 10 %%) should reach several %%", maxFrac)
	}
}

// TestSSI checks that SSI adds noise at an SNR in [SNRMin, SNRMax] and
// that the noise is coloured by the notch filters (not white).
func TestSSI(t *testing.T) {
	p := DefaultRawBoost()
	x := to64(speechLike(2, 16000, 0.3))
	var st rbState
	for seed := range uint64(20) {
		y := slices.Clone(x)
		st.ssi(rand.New(rand.NewPCG(seed, 1)), &p, y, Rate)
		var ex, en float64
		for i := range y {
			ex += x[i] * x[i]
			en += (y[i] - x[i]) * (y[i] - x[i])
		}
		snr := 10 * math.Log10(ex/en)
		if snr < p.SNRMin-1e-6 || snr > p.SNRMax+1e-6 {
			t.Fatalf("seed %d: SNR %.3f dB outside [%v, %v]", seed, snr, p.SNRMin, p.SNRMax)
		}
	}
}

// TestLnLLinear checks LnL with one (linear) term: the output is the input
// through one notch cascade scaled to 0 dB peak gain, minus its mean, so
// its energy cannot exceed the input's by more than the FIR's edge effects,
// and it is not the input.
func TestLnLLinear(t *testing.T) {
	p := DefaultRawBoost()
	p.NF = 1
	x := to64(speechLike(3, 16000, 0.3))
	var st rbState
	for seed := range uint64(10) {
		y := make([]float64, len(x))
		st.lnl(rand.New(rand.NewPCG(seed, 2)), &p, y, x, Rate)
		var ex, ey, ed float64
		for i := range y {
			ex += x[i] * x[i]
			ey += y[i] * y[i]
			ed += (y[i] - x[i]) * (y[i] - x[i])
		}
		if ey > ex*1.01 || ed < 1e-6*ex {
			t.Fatalf("seed %d: energy in %v, out %v, difference %v", seed, ex, ey, ed)
		}
	}
}

// TestRawBoostAlgorithms runs all eight algorithms: finite output of the
// input's length that differs from the input, peak ≤ 1 when the input's
// is (SSI may add a little), reproducible from the seed; silent and tiny
// inputs give finite output without panics.
func TestRawBoostAlgorithms(t *testing.T) {
	x := speechLike(4, 8000, 0.5)
	for algo := 1; algo <= 8; algo++ {
		sp, err := Parse("rawboost:" + string(rune('0'+algo)))
		if err != nil {
			t.Fatal(err)
		}
		a := New(sp)
		y := slices.Clone(a.Waveform(RNG(1, 0, 0), x))
		y2 := a.Waveform(RNG(1, 0, 0), x)
		if !slices.Equal(y, y2) {
			t.Errorf("algo %d: same seed, different output", algo)
		}
		if slices.Equal(y, a.Waveform(RNG(1, 0, 1), x)) {
			t.Errorf("algo %d: another utterance's stream gave the same output", algo)
		}
		if len(y) != len(x) || slices.Equal(y, x) {
			t.Errorf("algo %d: output of %d samples, equal to input: %v", algo, len(y), slices.Equal(y, x))
		}
		for i, v := range y {
			if math.IsNaN(float64(v)) || math.Abs(float64(v)) > 1.5 {
				t.Fatalf("algo %d: sample %d = %v", algo, i, v)
			}
		}
		for _, in := range [][]float32{nil, {0.5}, {0.1, -0.1}, make([]float32, 500)} {
			out := a.Waveform(RNG(2, 0, 0), in)
			if len(out) != len(in) {
				t.Errorf("algo %d: %d samples in, %d out", algo, len(in), len(out))
			}
			for _, v := range out {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					t.Errorf("algo %d, %d-sample input: non-finite output", algo, len(in))
				}
			}
		}
	}
}

// TestChannelTransforms checks the synth-based and simple transforms:
// finite, same length, changed, and gain stays within its range.
func TestChannelTransforms(t *testing.T) {
	x := speechLike(5, 16000, 0.3)
	for _, spec := range []string{"room", "device", "bandlimit", "noise", "gain", "highpass", "room,device,bandlimit,noise,gain,highpass"} {
		sp, err := Parse(spec)
		if err != nil {
			t.Fatal(err)
		}
		a := New(sp)
		for seed := range uint64(5) {
			y := a.Waveform(RNG(seed, 1, 2), x)
			if len(y) != len(x) || slices.Equal(y, x) {
				t.Fatalf("%s seed %d: unchanged or wrong length", spec, seed)
			}
			for _, v := range y {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					t.Fatalf("%s seed %d: non-finite output", spec, seed)
				}
			}
			if spec == "gain" {
				g := float64(y[100]) / float64(x[100])
				if db := 20 * math.Log10(g); db < -12-1e-4 || db > 6+1e-4 {
					t.Errorf("gain %.2f dB outside −12…+6", db)
				}
			}
		}
	}
	// Probability 0 never applies; the output is the input.
	sp, _ := Parse("rawboost:4@0,room@0")
	if y := New(sp).Waveform(RNG(1, 1, 1), x); !slices.Equal(y, x) {
		t.Error("transforms with probability 0 changed the signal")
	}
}

// TestFeatureMask checks SpecAugment frequency masking: one contiguous
// band of at most F columns zeroed in every frame, nothing else changed.
func TestFeatureMask(t *testing.T) {
	sp, _ := Parse("freqmask:10")
	a := New(sp)
	widths := map[int]bool{}
	for seed := range 200 {
		m := features.Matrix{Rows: 5, Cols: 64, Data: make([]float32, 5*64)}
		for i := range m.Data {
			m.Data[i] = 1
		}
		a.FeatureMask(RNG(7, seed, 0), &m)
		var zero []int
		for c := range m.Cols {
			if m.Data[c] == 0 {
				zero = append(zero, c)
			}
		}
		for r := range m.Rows {
			for c := range m.Cols {
				if (m.Data[r*m.Cols+c] == 0) != slices.Contains(zero, c) {
					t.Fatalf("seed %d: mask differs between frames", seed)
				}
			}
		}
		if len(zero) > 10 || (len(zero) > 0 && zero[len(zero)-1]-zero[0] != len(zero)-1) {
			t.Fatalf("seed %d: masked columns %v", seed, zero)
		}
		widths[len(zero)] = true
	}
	if len(widths) != 11 {
		t.Errorf("mask widths drawn: %v, want all of 0…10", widths)
	}
	if sp.Waveform() || !sp.Features() {
		t.Error("freqmask is a feature transform only")
	}
}

func TestParse(t *testing.T) {
	good := []struct{ in, canon string }{
		{"", ""},
		{"none", ""},
		{"rawboost", "rawboost:5@1"},
		{"rawboost:3@0.5, freqmask", "rawboost:3@0.5,freqmask:8@1"},
		{"room@0.25,device,bandlimit@0,noise,gain@1,freqmask:12@0.5", "room@0.25,device@1,bandlimit@0,noise@1,gain@1,freqmask:12@0.5"},
	}
	for _, g := range good {
		sp, err := Parse(g.in)
		if err != nil || sp.String() != g.canon {
			t.Errorf("Parse(%q) = %q, %v; want %q", g.in, sp.String(), err, g.canon)
			continue
		}
		back, err := Parse(sp.String())
		if err != nil || back.String() != g.canon {
			t.Errorf("round trip of %q: %q, %v", g.canon, back.String(), err)
		}
	}
	bad := []struct{ in, want string }{
		{"rawbost", `unknown transform "rawbost"`},
		{"rawboost:9", "not 1…8"},
		{"rawboost:x", "not 1…8"},
		{"room@2", "not a number in [0, 1]"},
		{"room@", "not a number"},
		{"room:3", "takes no argument"},
		{"freqmask:0", "not 1…1000"},
		{"gain,,room", `unknown transform ""`},
	}
	for _, b := range bad {
		_, err := Parse(b.in)
		if err == nil || !strings.Contains(err.Error(), b.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Parse(%q): error %v, want one line containing %q", b.in, err, b.want)
		}
	}
}

// FuzzParse: no spec panics Parse or allocates without bound, and an
// accepted spec's canonical form parses to itself.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"rawboost:5@0.5,room,freqmask:8", "none", "gain@0.1", "x:y@z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		sp, err := Parse(s)
		runtime.ReadMemStats(&m1)
		if d := m1.TotalAlloc - m0.TotalAlloc; d > uint64(64*len(s)+(1<<16)) {
			t.Fatalf("Parse allocated %d bytes for a %d-byte spec", d, len(s))
		}
		if err != nil {
			return
		}
		back, err := Parse(sp.String())
		if err != nil || back.String() != sp.String() {
			t.Fatalf("canonical %q does not round-trip: %q, %v", sp.String(), back.String(), err)
		}
	})
}

// TestFreqzFFT checks the FFT form of freqzMax against the direct one.
func TestFreqzFFT(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 12))
	var st rbState
	for _, n := range []int{1, 7, 100, 501, 1500} {
		b := make([]float64, n)
		for i := range b {
			b[i] = r.NormFloat64()
		}
		if d, f := freqzMax(b), st.freqzMax(b); math.Abs(d-f) > 1e-12*d {
			t.Errorf("%d taps: direct %.17g, FFT %.17g", n, d, f)
		}
	}
}

// TestWaveFuncUnchanged: WaveFunc returns nil exactly when no transform
// was drawn (probability 0, or the coin said no), and the samples
// otherwise.
func TestWaveFuncUnchanged(t *testing.T) {
	x := make([]float32, 4000)
	for i := range x {
		x[i] = float32(math.Sin(float64(i) / 7))
	}
	for _, tc := range []struct {
		spec string
		nils int // of 200 calls
	}{{"gain@0", 200}, {"gain@1", 0}, {"rawboost:3@0,gain@0,freqmask:8", 200}} {
		sp, err := Parse(tc.spec)
		if err != nil {
			t.Fatal(err)
		}
		f := sp.WaveFunc()
		nils := 0
		for i := range 200 {
			if f(nil, x, RNG(1, 1, i)) == nil {
				nils++
			}
		}
		if nils != tc.nils {
			t.Errorf("%s: %d of 200 unchanged, want %d", tc.spec, nils, tc.nils)
		}
	}
	// gain@0.5: the unchanged share follows the coin, and the changed
	// results are the gained samples.
	sp, _ := Parse("gain@0.5")
	f, a := sp.WaveFunc(), New(sp)
	nils := 0
	for i := range 400 {
		y := f(nil, x, RNG(2, 1, i))
		a.Waveform(RNG(2, 1, i), x)
		if (y == nil) != !a.Changed() {
			t.Fatalf("call %d: WaveFunc nil=%v, Augmenter changed=%v", i, y == nil, a.Changed())
		}
		if y == nil {
			nils++
		}
	}
	if nils < 160 || nils > 240 {
		t.Errorf("gain@0.5: %d of 400 unchanged, want about 200", nils)
	}
}

// TestHighPassButterworth: the cascaded biquads have the Butterworth
// magnitude |H(f)|² = 1 / (1 + (fc/f)^(2n)) of order n (analytic; the
// bilinear transform's warping is negligible this far below 8 kHz),
// measured on steady sinusoids.
func TestHighPassButterworth(t *testing.T) {
	const fs = 16000.0
	for _, tc := range []struct {
		n  int
		qs []float64
	}{{2, butterQ2}, {4, butterQ4}} {
		for _, fc := range []float64{50, 200, 500} {
			for _, ratio := range []float64{0.25, 0.5, 1, 2, 4} {
				f := fc * ratio
				x := make([]float64, 32000)
				for i := range x {
					x[i] = math.Sin(2 * math.Pi * f * float64(i) / fs)
				}
				for _, q := range tc.qs {
					highPassBiquad(x, fc, q, fs)
				}
				// RMS over the second half (transients gone), against the
				// input's 1/√2.
				var ss float64
				for _, v := range x[16000:] {
					ss += v * v
				}
				got := 10 * math.Log10(2*ss/16000)
				want := -10 * math.Log10(1+math.Pow(fc/f, float64(2*tc.n)))
				if math.Abs(got-want) > 0.1+0.01*math.Abs(want) {
					t.Errorf("order %d, fc %g Hz, f %g Hz: %.2f dB, want %.2f", tc.n, fc, f, got, want)
				}
			}
		}
	}
}

// TestFFTSumMatchesDirect: the block-FFT sum of filter outputs equals the
// direct-form filterFIR sum to rounding, for signals shorter than one block,
// of an odd number of blocks and of many, with filters of different
// lengths (odd and even taps, as RawBoost's cascades have) in one sum.
func TestFFTSumMatchesDirect(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var s fftSum
	for _, tc := range []struct {
		l    int
		taps []int
	}{
		{10, []int{3}}, {300, []int{49, 50}}, {1000, []int{101}}, {5000, []int{61, 7, 140, 33}},
		{48000, []int{441, 97, 230, 12, 499}}, {48000, []int{1}}, {2049, []int{256, 255}},
	} {
		x := make([]float64, tc.l)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		maxTaps := slices.Max(tc.taps)
		want := make([]float64, tc.l)
		tmp := make([]float64, tc.l)
		pow := slices.Clone(x)
		s.begin(tc.l, maxTaps)
		for i, m := range tc.taps {
			b := make([]float64, m)
			for k := range b {
				b[k] = rng.NormFloat64()
			}
			if i > 0 {
				for k := range pow {
					pow[k] *= 0.5 * x[k]
				}
			}
			filterFIR(tmp, pow, b)
			for k, v := range tmp {
				want[k] += v
			}
			s.add(pow, b)
		}
		got := make([]float64, tc.l)
		s.end(got)
		scale := 0.0
		for _, v := range want {
			scale = max(scale, math.Abs(v))
		}
		for i := range want {
			if d := math.Abs(got[i] - want[i]); d > 1e-9*scale {
				t.Fatalf("l %d taps %v: sample %d: %g, direct form %g", tc.l, tc.taps, i, got[i], want[i])
			}
		}
	}
}
