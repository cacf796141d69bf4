package audio

import (
	"math"
	"strings"
	"testing"
)

func tone(freq float64, rate, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(0.5 * math.Sin(2*math.Pi*freq*float64(i)/float64(rate)))
	}
	return x
}

// rms of the middle of x, away from the filter's edge transients.
func midRMS(x []float32) float64 {
	a, b := len(x)/4, 3*len(x)/4
	var s float64
	for _, v := range x[a:b] {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s / float64(b-a))
}

// amplitudeAt is the amplitude of the sinusoid of frequency f in the middle
// of x (a Hann-windowed single-bin DFT).
func amplitudeAt(x []float32, f float64, rate int) float64 {
	a, b := len(x)/4, 3*len(x)/4
	var re, im, wsum float64
	for i := a; i < b; i++ {
		w := 0.5 - 0.5*math.Cos(2*math.Pi*float64(i-a)/float64(b-a))
		ph := 2 * math.Pi * f * float64(i) / float64(rate)
		re += w * float64(x[i]) * math.Cos(ph)
		im += w * float64(x[i]) * math.Sin(ph)
		wsum += w
	}
	return 2 * math.Hypot(re, im) / wsum
}

// resample is Resample for rate pairs that must be accepted.
func resample(t testing.TB, x []float32, from, to int) []float32 {
	t.Helper()
	y, err := Resample(x, from, to)
	if err != nil {
		t.Fatal(err)
	}
	return y
}

func TestResampleStopBand(t *testing.T) {
	for _, from := range []int{44100, 48000, 22050, 32000} {
		for _, f := range []float64{8000, 8500, 10000, 15000, 20000} {
			if f >= float64(from)/2 {
				continue
			}
			x := tone(f, from, from/2)
			y := resample(t, x, from, 16000)
			if want := (len(x)*16000 + from - 1) / from; len(y) != want {
				t.Fatalf("%d Hz: %d samples, want %d", from, len(y), want)
			}
			att := 20 * math.Log10(midRMS(y)/midRMS(x))
			if att > -80 {
				t.Errorf("%d→16000 Hz: tone at %.0f Hz attenuated by only %.1f dB", from, f, -att)
			}
		}
	}
}

func TestResamplePassBand(t *testing.T) {
	for _, tc := range []struct{ from, to int }{{44100, 16000}, {48000, 16000}, {8000, 16000}, {16000, 22050}, {11025, 16000}} {
		for _, f := range []float64{100, 1000, 3000, 0.47 * float64(min(tc.from, tc.to))} {
			y := resample(t, tone(f, tc.from, tc.from/2), tc.from, tc.to)
			got := amplitudeAt(y, f, tc.to)
			if math.Abs(got-0.5) > 0.005 {
				t.Errorf("%d→%d Hz: %g Hz tone amplitude %.4f, want 0.5", tc.from, tc.to, f, got)
			}
		}
	}
}

func TestResampleUpsamplingImages(t *testing.T) {
	// 8 kHz → 16 kHz: a 3 kHz tone must not leave an image at 5 kHz.
	y := resample(t, tone(3000, 8000, 8000), 8000, 16000)
	if img := amplitudeAt(y, 5000, 16000); img > 0.5e-4 {
		t.Errorf("image at 5 kHz has amplitude %g (> -80 dB)", img)
	}
}

func TestResampleOddRates(t *testing.T) {
	// A rate pair with a large L takes the interpolated-grid path: pass
	// band flat, stop band ≥ 80 dB, as the tabulated designs.
	for _, from := range []int{44101, 47999, 383999} {
		if d := designFor(from, 16000); d.grid == nil || len(d.grid)+len(d.table) > maxTableCoefs {
			t.Fatalf("%d→16000: grid %d, table %d coefficients", from, len(d.grid), len(d.table))
		}
		y := resample(t, tone(500, from, from/4), from, 16000)
		if got := amplitudeAt(y, 500, 16000); math.Abs(got-0.5) > 0.005 {
			t.Errorf("%d→16000: amplitude %.4f, want 0.5", from, got)
		}
		x := tone(10000, from, from/4)
		if att := 20 * math.Log10(midRMS(resample(t, x, from, 16000))/midRMS(x)); att > -80 {
			t.Errorf("%d→16000: 10 kHz tone attenuated by only %.1f dB", from, -att)
		}
	}
	if x := []float32{1, 2}; &resample(t, x, 16000, 16000)[0] != &x[0] {
		t.Error("equal rates copied the signal")
	}
	if len(resample(t, nil, 44100, 16000)) != 0 {
		t.Error("empty input gave samples")
	}
}

func TestResampleRefusesAbsurdRates(t *testing.T) {
	for _, tc := range []struct{ from, to int }{{1, 16000}, {16000, 1}, {3999, 16000}, {384001, 16000}, {0, 16000}, {-8000, 16000}, {16000, 1 << 30}} {
		y, err := Resample([]float32{0.1, 0.2}, tc.from, tc.to)
		if err == nil || y != nil || !strings.Contains(err.Error(), "rates must lie in 4000..384000 Hz") {
			t.Errorf("%d→%d Hz: %d samples, err %v", tc.from, tc.to, len(y), err)
		}
	}
}

func BenchmarkResample44100(b *testing.B) {
	x := tone(1000, 44100, 44100*3)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resample(b, x, 44100, 16000)
	}
	b.ReportMetric(3*float64(b.N)/b.Elapsed().Seconds(), "audio-s/s")
}
