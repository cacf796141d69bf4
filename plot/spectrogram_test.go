package plot

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deep4deep/deep4deep/features"
	"gonum.org/v1/plot/palette/moreland"
)

// luma is the brightness of a pixel in [0, 1].
func luma(img image.Image, x, y int) float64 {
	r, g, b, _ := img.At(x, y).RGBA()
	return (0.299*float64(r) + 0.587*float64(g) + 0.114*float64(b)) / 0xffff
}

// TestSpectrogramOrientation draws a matrix whose top bins are loud and
// bottom bins quiet and checks that the bright half of the image is the
// upper one, that time runs along x, and that the file is a valid PNG.
func TestSpectrogramOrientation(t *testing.T) {
	m := &features.Matrix{}
	m.Resize(200, 64)
	for f := range m.Rows {
		for b := range m.Cols {
			v := float32(-10) // far below the colour range: black
			if b >= 48 && f < 100 {
				v = -2 // loud: top quarter, first half of the time axis
			}
			m.Row(f)[b] = v
		}
	}
	m.Row(199)[0] = 0 // the maximum, which sets the top of the colour scale
	path := filepath.Join(t.TempDir(), "spec.png")
	if err := Spectrogram(path, []SpectrogramPanel{{Title: "test", Frames: m, Hop: 0.005}}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	// Find the bounding box of the loud cells' colour, the palette at 3/4
	// of its range (neither the white background nor the black floor).
	pal := moreland.ExtendedBlackBody()
	pal.SetMin(-8)
	pal.SetMax(0)
	want, err := pal.At(-2)
	if err != nil {
		t.Fatal(err)
	}
	wr, wg, wb, _ := want.RGBA()
	near := func(a, b uint32) bool { return a+0x1800 > b && b+0x1800 > a }
	bnd := img.Bounds()
	minX, minY, maxX, maxY := bnd.Max.X, bnd.Max.Y, 0, 0
	for y := bnd.Min.Y; y < bnd.Max.Y; y++ {
		for x := bnd.Min.X; x < bnd.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if near(r, wr) && near(g, wg) && near(b, wb) {
				minX, minY = min(minX, x), min(minY, y)
				maxX, maxY = max(maxX, x), max(maxY, y)
			}
		}
	}
	if maxX <= minX || maxY <= minY {
		t.Fatal("no bright region drawn")
	}
	// The heat map's dark area lies below and to the right of the bright
	// one: sample just below its bottom edge and right of its right edge.
	if l := luma(img, (minX+maxX)/2, maxY+20); l > 0.2 {
		t.Errorf("below the loud bins: luma %.2f, want dark (frequency axis upside down?)", l)
	}
	if l := luma(img, maxX+20, (minY+maxY)/2); l > 0.2 {
		t.Errorf("after the loud frames: luma %.2f, want dark (time axis reversed?)", l)
	}
	if w, h := maxX-minX, maxY-minY; w < 3*h {
		t.Errorf("bright block %d×%d px: want about 100 frames wide and 16 bins high", w, h)
	}
}

func TestSpectrogramErrors(t *testing.T) {
	one := &features.Matrix{Rows: 1, Cols: 64, Data: make([]float32, 64)}
	for _, tc := range []struct {
		name   string
		panels []SpectrogramPanel
		want   string
	}{
		{"none", nil, "no panels"},
		{"nil frames", []SpectrogramPanel{{Title: "a"}}, "needs at least 2 frames"},
		{"one frame", []SpectrogramPanel{{Title: "a", Frames: one}}, "needs at least 2 frames"},
	} {
		_, err := SpectrogramPNG(tc.panels)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}
