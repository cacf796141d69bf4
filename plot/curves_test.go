package plot

import (
	"bytes"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestCurves(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name   string
		points []CurvePoint
		ok     bool
	}{
		{"cnn run", []CurvePoint{{1, 0.6, 0.65, 0.30}, {2, 0.4, 0.5, 0.2}, {3, 0.3, 0.55, 0.22}}, true},
		{"single epoch", []CurvePoint{{1, 0.6, 0.65, 0.30}}, true},
		{"gmm run (no losses)", []CurvePoint{{1, nan, nan, 0.12}}, true},
		{"empty", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "curves.png")
			err := Curves(path, "cnn-fbank", tc.points)
			if (err == nil) != tc.ok {
				t.Fatalf("Curves error = %v, want ok=%v", err, tc.ok)
			}
			if !tc.ok {
				if _, err := os.Stat(path); err == nil {
					t.Fatal("failed call left a file behind")
				}
				return
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("not a PNG: %v", err)
			}
			b := img.Bounds()
			if b.Dx() < 500 || b.Dy() < 200 {
				t.Fatalf("image %v too small", b)
			}
			if colours(img) < 3 {
				t.Fatal("image is blank")
			}
		})
	}
}

// colours counts distinct colours on a coarse grid: a drawn plot has lines,
// text and background.
func colours(img image.Image) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
		}
	}
	return len(seen)
}

func TestCurveTicksWholeEpochs(t *testing.T) {
	for _, r := range [][2]float64{{1, 3}, {0.5, 40.2}, {1, 1}} {
		for _, tk := range (curvesEpochTicks{}).Ticks(r[0], r[1]) {
			if tk.Value != math.Trunc(tk.Value) {
				t.Errorf("range %v: tick at %v is not a whole epoch", r, tk.Value)
			}
		}
	}
}
