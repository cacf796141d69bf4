package plot

import (
	"bytes"
	"image"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/eval"
	"github.com/deep4deep/deep4deep/internal/testshared"
	"gonum.org/v1/plot/plotutil"
)

const realEval = "asvspoof2017/protocol_V2/ASVspoof2017_V2_eval.trl.txt" // in ../shared

// twoSystems makes up deterministic scores for two systems on the given
// trial labels: a good one (d' = 3) and a weak one (d' = 1).
func twoSystems(labels []corpus.Label) []DETCurve {
	rng := rand.New(rand.NewPCG(2017, 6))
	curves := []DETCurve{{Label: "cnn-fbank"}, {Label: "gmm-cqcc"}}
	for _, l := range labels {
		for i, d := range []float64{3, 1} {
			v := rng.NormFloat64()
			if l == corpus.Genuine {
				curves[i].Genuine = append(curves[i].Genuine, v+d)
			} else {
				curves[i].Spoof = append(curves[i].Spoof, v)
			}
		}
	}
	return curves
}

// TestDETRealProtocol draws two systems scored on the real eval protocol's
// 1,298 genuine and 12,008 spoof trials. Set DEEP4DEEP_PLOT_DIR to keep
// the figure for a look.
func TestDETRealProtocol(t *testing.T) {
	trials, err := corpus.ReadProtocol(testshared.Path(t, realEval))
	if err != nil {
		t.Fatal(err)
	}
	labels := make([]corpus.Label, len(trials))
	for i, tr := range trials {
		labels[i] = tr.Label
	}
	curves := twoSystems(labels)
	dir := t.TempDir()
	if d := os.Getenv("DEEP4DEEP_PLOT_DIR"); d != "" {
		dir = d
	}
	path := filepath.Join(dir, "det.png")
	if err := DET(path, curves); err != nil {
		t.Fatal(err)
	}
	img := readPNG(t, path)
	if b := img.Bounds(); b.Dx() < 400 || b.Dx() != b.Dy() {
		t.Errorf("image %v, want a square of at least 400 pixels", b)
	}
	// Both systems' lines are drawn in their colours.
	for i := range curves {
		if n := countColour(img, plotutil.Color(i)); n < 100 {
			t.Errorf("system %d: only %d pixels of its colour", i, n)
		}
	}
}

func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	return img
}

func countColour(img image.Image, c interface{ RGBA() (r, g, b, a uint32) }) int {
	r0, g0, b0, _ := c.RGBA()
	n := 0
	bd := img.Bounds()
	for y := bd.Min.Y; y < bd.Max.Y; y++ {
		for x := bd.Min.X; x < bd.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if r>>8 == r0>>8 && g>>8 == g0>>8 && b>>8 == b0>>8 {
				n++
			}
		}
	}
	return n
}

// TestDETCurveCrossesAtEER checks that the drawn curve meets the diagonal
// exactly where the EER marker is drawn, and that it runs monotonically.
func TestDETCurveCrossesAtEER(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 20; trial++ {
		var gen, spoof []float64
		d := 3 * rng.Float64()
		for range 50 + rng.IntN(500) {
			gen = append(gen, d+rng.NormFloat64())
		}
		for range 50 + rng.IntN(2000) {
			spoof = append(spoof, rng.NormFloat64())
		}
		eer := eval.EER(gen, spoof)
		pts := detPoints(eval.ROCCH(gen, spoof))
		crossing := math.NaN()
		for i := 1; i < len(pts); i++ {
			if pts[i].X > pts[i-1].X || pts[i].Y < pts[i-1].Y {
				t.Fatalf("trial %d: curve not monotone at point %d", trial, i)
			}
			d0, d1 := pts[i-1].X-pts[i-1].Y, pts[i].X-pts[i].Y
			if d0 >= 0 && d1 <= 0 && math.IsNaN(crossing) {
				s := d0 / (d0 - d1)
				if d0 == d1 {
					s = 0
				}
				crossing = pts[i-1].X + s*(pts[i].X-pts[i-1].X)
			}
		}
		if math.Abs(crossing-probit(eer)) > 0.01 {
			t.Errorf("trial %d: curve crosses the diagonal at %.4f, EER marker at %.4f (EER %.4f)", trial, crossing, probit(eer), eer)
		}
	}
}

func TestDETTicks(t *testing.T) {
	var labels []string
	prev := math.Inf(-1)
	for _, tk := range (detTicks{}).Ticks(0, 0) {
		if tk.Label == "" {
			continue
		}
		labels = append(labels, tk.Label)
		if tk.Value <= prev {
			t.Errorf("tick %s not increasing", tk.Label)
		}
		prev = tk.Value
	}
	if got := strings.Join(labels, " "); got != "0.1 0.5 1 2 5 10 20 40" {
		t.Errorf("ticks %q", got)
	}
	// Φ⁻¹(0.1 %) = −3.0902, Φ⁻¹(40 %) = −0.2533 (tables).
	if v := probit(0.001); math.Abs(v+3.090232) > 1e-6 {
		t.Errorf("probit(0.001) = %v", v)
	}
	if v := probit(0.4); math.Abs(v+0.253347) > 1e-6 {
		t.Errorf("probit(0.4) = %v", v)
	}
}

func TestDETErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name   string
		curves []DETCurve
		want   string
	}{
		{"none", nil, "no curves"},
		{"no spoof", []DETCurve{{Label: "x", Genuine: []float64{1}}}, "x: need at least one genuine and one spoof"},
		{"NaN", []DETCurve{{Genuine: []float64{math.NaN()}, Spoof: []float64{0}}}, "system 1: need"},
	} {
		p := filepath.Join(dir, tc.name+".png")
		err := DET(p, tc.curves)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), p) {
			t.Errorf("%s: error %v, want one naming %s and containing %q", tc.name, err, p, tc.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files left behind: %v", entries)
	}
	if err := DET(filepath.Join(dir, "no/such/dir/det.png"), twoSystems([]corpus.Label{0, 1})); err == nil {
		t.Error("no error writing into a missing directory")
	}
}
