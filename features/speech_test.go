package features

import (
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/deep4deep/deep4deep/corpus"
	synthcorpus "github.com/deep4deep/deep4deep/synth"
)

// nonSpeech returns made-up inputs without speech, 3 s at 16 kHz, and the
// test of the speech check each must fail (the Reason's first word).
func nonSpeech() []struct {
	name, reason string
	x            []float32
} {
	const n, fs = 48000, 16000.0
	rng := rand.New(rand.NewPCG(17, 1))
	gen := func(f func(i int, t float64) float64) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(f(i, float64(i)/fs))
		}
		return x
	}
	square := func(f, t float64) float64 {
		if math.Mod(t*f, 1) < 0.5 {
			return 0.5
		}
		return -0.5
	}
	var b0, b1, b2, brown float64
	return []struct {
		name, reason string
		x            []float32
	}{
		{"digital silence", "silent", make([]float32, n)},
		{"dither (±1 LSB)", "silent", gen(func(int, float64) float64 { return math.Round(rng.NormFloat64()) / 32768 })},
		{"white noise", "stationary", gen(func(int, float64) float64 { return 0.3 * rng.NormFloat64() })},
		{"pink noise", "stationary", gen(func(int, float64) float64 {
			w := rng.NormFloat64() // Paul Kellet's economy filter
			b0, b1, b2 = 0.99765*b0+w*0.0990460, 0.96300*b1+w*0.2965164, 0.57000*b2+w*1.0526913
			return 0.05 * (b0 + b1 + b2 + w*0.1848)
		})},
		{"brown noise", "tonal", gen(func(int, float64) float64 { brown = 0.999*brown + 0.02*rng.NormFloat64(); return brown })},
		{"1 kHz tone", "stationary", gen(func(_ int, t float64) float64 { return 0.5 * math.Sin(2*math.Pi*1000*t) })},
		{"200 Hz square wave", "stationary", gen(func(_ int, t float64) float64 { return square(200, t) })},
		{"150 Hz sawtooth", "stationary", gen(func(_ int, t float64) float64 { return math.Mod(t*150, 1) - 0.5 })},
		{"sweep 100 Hz–7.9 kHz", "stationary", gen(func(_ int, t float64) float64 {
			return 0.5 * math.Sin(2*math.Pi*(100*t+1300*t*t))
		})},
		{"tone, 4 Hz AM", "tonal", gen(func(_ int, t float64) float64 {
			return 0.5 * math.Sin(2*math.Pi*440*t) * (0.5 + 0.5*math.Sin(2*math.Pi*4*t))
		})},
		{"square wave, 4 Hz AM", "static", gen(func(_ int, t float64) float64 {
			return square(200, t) * (0.5 + 0.5*math.Sin(2*math.Pi*4*t))
		})},
		{"square wave, gated 150 ms", "static", gen(func(_ int, t float64) float64 {
			if math.Mod(t, 0.3) < 0.15 {
				return square(120, t)
			}
			return 0
		})},
	}
}

func TestSpeechRejectsNonSpeech(t *testing.T) {
	d, err := NewSpeechDetector(DefaultSpeechParams())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range nonSpeech() {
		s, err := d.Detect(tc.x)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%-26s %+v", tc.name, s)
		if s.Speech || !strings.HasPrefix(s.Reason, tc.reason) {
			t.Errorf("%s: speech %v, reason %q; want %q", tc.name, s.Speech, s.Reason, tc.reason)
		}
	}
}

// TestSpeechRejectsShortClips: 150 ms of synthetic speech between two
// seconds of dither is too short to count as speech; 400 ms is enough.
func TestSpeechRejectsShortClips(t *testing.T) {
	x, err := synthcorpus.NewRenderer(1, nil).Render(corpus.Trial{File: "short.wav", Label: corpus.Genuine,
		Speaker: "F0002", Phrase: "S03", Environment: "-", Playback: "-", Recorder: "-"})
	if err != nil {
		t.Fatal(err)
	}
	// The loudest stretch of the utterance, by 10 ms steps.
	energy := func(a, b int) (e float64) {
		for _, v := range x[a:b] {
			e += float64(v) * float64(v)
		}
		return e
	}
	d, err := NewSpeechDetector(DefaultSpeechParams())
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct {
		ms     int
		speech bool
	}{{150, false}, {400, true}} {
		n := tc.ms * 16
		best := 0
		for a := 0; a+n <= len(x); a += 160 {
			if energy(a, a+n) > energy(best, best+n) {
				best = a
			}
		}
		clip := make([]float32, 32000+n+32000)
		for i := range clip {
			clip[i] = float32(math.Round(rng.NormFloat64())) / 32768
		}
		copy(clip[32000:], x[best:best+n])
		s, err := d.Detect(clip)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%d ms: %+v", tc.ms, s)
		if s.Speech != tc.speech || !tc.speech && !strings.HasPrefix(s.Reason, "too short") {
			t.Errorf("%d ms of speech: speech %v, %q", tc.ms, s.Speech, s.Reason)
		}
	}
}

// speechTrials renders trials of the synthetic eval set (every step-th), as
// the demo's corpus (scale 0.05, seed 1), and returns them.
func speechTrials(t *testing.T, step int) ([]corpus.Trial, *synthcorpus.Renderer) {
	p, err := synthcorpus.Plan(synthcorpus.Options{Scale: 0.05, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var trials []corpus.Trial
	for s := range p {
		for i := 0; i < len(p[s]); i += step {
			trials = append(trials, p[s][i])
		}
	}
	return trials, synthcorpus.NewRenderer(1, nil)
}

// TestSpeechAcceptsSyntheticCorpus: no genuine or spoof trial of the
// synthetic corpus is flagged. CI checks every 24th trial of train, dev and
// eval; DEEP4DEEP_LONG=1 checks all 903. The closest margins are logged.
func TestSpeechAcceptsSyntheticCorpus(t *testing.T) {
	step := 24
	if os.Getenv("DEEP4DEEP_LONG") != "" {
		step = 1
	}
	trials, r := speechTrials(t, step)
	d, err := NewSpeechDetector(DefaultSpeechParams())
	if err != nil {
		t.Fatal(err)
	}
	low := Speech{PeakDB: math.Inf(1), DepthDB: math.Inf(1), ActiveSeconds: math.Inf(1), Bands: math.Inf(1), ShapeFlux: math.Inf(1)}
	for _, tr := range trials {
		x, err := r.Render(tr)
		if err != nil {
			t.Fatal(err)
		}
		s, err := d.Detect(x)
		if err != nil {
			t.Fatal(err)
		}
		if !s.Speech {
			t.Errorf("%s (%s %s): flagged: %s", tr.File, tr.Label, tr.Environment, s.Reason)
		}
		low.PeakDB, low.DepthDB = min(low.PeakDB, s.PeakDB), min(low.DepthDB, s.DepthDB)
		low.ActiveSeconds, low.Bands, low.ShapeFlux = min(low.ActiveSeconds, s.ActiveSeconds), min(low.Bands, s.Bands), min(low.ShapeFlux, s.ShapeFlux)
	}
	t.Logf("%d trials; lowest peak %.1f dB, depth %.1f dB, active %.2f s, bands %.1f, shape flux %.2f dB",
		len(trials), low.PeakDB, low.DepthDB, low.ActiveSeconds, low.Bands, low.ShapeFlux)
}
