package plot

import (
	"bytes"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReliabilityPNG draws calibrated and shifted LLRs and checks the file
// decodes as a PNG of the expected size; bad input is an error, not a panic.
func TestReliabilityPNG(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	good := DETCurve{Label: "calibrated"}
	bad := DETCurve{Label: "shifted"}
	for range 2000 {
		good.Genuine = append(good.Genuine, 2*(r.NormFloat64()+1))
		good.Spoof = append(good.Spoof, 2*(r.NormFloat64()-1))
	}
	for _, v := range good.Genuine {
		bad.Genuine = append(bad.Genuine, v+3)
	}
	for _, v := range good.Spoof {
		bad.Spoof = append(bad.Spoof, v+3)
	}
	dir := t.TempDir()
	if d := os.Getenv("DEEP4DEEP_PLOT_DIR"); d != "" {
		dir = d
	}
	path := filepath.Join(dir, "reliability.png")
	if err := Reliability(path, []DETCurve{good, bad}); err != nil {
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
	if b := img.Bounds(); b.Dx() != 864 || b.Dy() != 864 {
		t.Errorf("image %v, want 864×864 (6 in at 144 dpi)", b)
	}
	for _, c := range [][]DETCurve{nil, {{Label: "x", Genuine: []float64{1}}}} {
		if _, err := ReliabilityPNG(c); err == nil || !strings.HasPrefix(err.Error(), "reliability plot") {
			t.Errorf("%v: error %v", c, err)
		}
	}
}
