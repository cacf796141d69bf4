package plot

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"math"

	"github.com/deep4deep/deep4deep/features"
	"github.com/deep4deep/deep4deep/internal/atomicfile"
	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// SpectrogramPanel is one time–frequency image: frames × bins of a log
// power feature (fbank, spec), drawn with time left to right and the
// lowest bin at the bottom.
type SpectrogramPanel struct {
	Title  string
	Frames *features.Matrix
	// Hop is the frame step in seconds; the time axis is in seconds when
	// it is set, in frames otherwise.
	Hop float64
	// BinLabel names the vertical axis, e.g. "mel filter" (default "bin").
	BinLabel string
}

// Spectrogram draws panels stacked vertically as a PNG at path, written
// atomically. All panels share one colour scale, from the largest value of
// any panel down to DynamicRange below it, so level and noise-floor
// differences between panels stay visible.
func Spectrogram(path string, panels []SpectrogramPanel) error {
	png, err := SpectrogramPNG(panels)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return atomicfile.WriteFile(path, png, 0o644)
}

// SpectrogramDynamicRange is the colour scale's span in the features' units
// (log10 power for fbank: 8 decades = 80 dB).
const SpectrogramDynamicRange = 8.0

// SpectrogramPNG renders the panels of Spectrogram to PNG bytes.
func SpectrogramPNG(panels []SpectrogramPanel) ([]byte, error) {
	if len(panels) == 0 {
		return nil, errors.New("spectrogram: no panels")
	}
	top := math.Inf(-1)
	for i, p := range panels {
		m := p.Frames
		if m == nil || m.Rows < 2 || m.Cols < 2 || len(m.Data) != m.Rows*m.Cols {
			return nil, fmt.Errorf("spectrogram: panel %d (%q) needs at least 2 frames of 2 bins", i, p.Title)
		}
		for _, v := range m.Data {
			if f := float64(v); !math.IsNaN(f) && !math.IsInf(f, 0) {
				top = math.Max(top, f)
			}
		}
	}
	if math.IsInf(top, -1) {
		return nil, errors.New("spectrogram: no finite values")
	}
	pal := moreland.ExtendedBlackBody()
	pal.SetMin(top - SpectrogramDynamicRange)
	pal.SetMax(top)
	plots := make([][]*gplot.Plot, len(panels))
	for i, p := range panels {
		pl := gplot.New()
		pl.Title.Text = p.Title
		pl.X.Label.Text = "frame"
		if p.Hop > 0 {
			pl.X.Label.Text = "time (s)"
		}
		pl.Y.Label.Text = p.BinLabel
		if pl.Y.Label.Text == "" {
			pl.Y.Label.Text = "bin"
		}
		hm := plotter.NewHeatMap(grid{p.Frames, p.Hop}, pal.Palette(256))
		hm.Min, hm.Max = top-SpectrogramDynamicRange, top
		hm.Underflow = color.Black
		hm.Overflow = color.White
		hm.NaN = color.Black
		hm.Rasterized = true
		pl.Add(hm)
		plots[i] = []*gplot.Plot{pl}
	}
	w := 10 * vg.Inch
	h := vg.Length(len(panels)) * 2.6 * vg.Inch
	img := vgimg.New(w, h)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(panels), Cols: 1, PadY: vg.Points(10), PadTop: vg.Points(4),
		PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8)}
	canvases := gplot.Align(plots, tiles, dc)
	for i := range plots {
		plots[i][0].Draw(canvases[i][0])
	}
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("spectrogram: %w", err)
	}
	return buf.Bytes(), nil
}

// grid adapts a frames × bins matrix to plotter.GridXYZ: column c is frame
// c (at time c·hop when hop > 0), row r is bin r.
type grid struct {
	m   *features.Matrix
	hop float64
}

func (g grid) Dims() (c, r int)   { return g.m.Rows, g.m.Cols }
func (g grid) Z(c, r int) float64 { return float64(g.m.Data[c*g.m.Cols+r]) }
func (g grid) Y(r int) float64    { return float64(r) }
func (g grid) X(c int) float64 {
	if g.hop > 0 {
		return float64(c) * g.hop
	}
	return float64(c)
}
