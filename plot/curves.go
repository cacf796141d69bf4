package plot

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"math"

	"github.com/deep4deep/deep4deep/internal/atomicfile"
	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// CurvePoint is one epoch of a training run as the training curves show it.
// A NaN field is left out of its line (e.g. a GMM run has no losses).
type CurvePoint struct {
	Epoch     int
	TrainLoss float64 // mean cross-entropy over the epoch's training samples
	DevLoss   float64 // mean cross-entropy over the scored dev frames
	DevEER    float64 // dev utterance EER, a fraction in [0, 1]
}

// Curves draws the training curves of a run as a PNG of two panels side by
// side: train and dev loss against epoch, and dev EER (in %) against epoch,
// with the best (lowest-EER) epoch marked. The file is written atomically.
func Curves(path, title string, points []CurvePoint) error {
	png, err := CurvesPNG(title, points)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return atomicfile.WriteFile(path, png, 0o644)
}

// CurvesPNG renders the training curves of Curves to PNG bytes.
func CurvesPNG(title string, points []CurvePoint) ([]byte, error) {
	if len(points) == 0 {
		return nil, errors.New("training curves: no epochs to draw")
	}
	loss := gplot.New()
	loss.Title.Text = "loss"
	if title != "" {
		loss.Title.Text = title + ": loss"
	}
	loss.X.Label.Text = "epoch"
	loss.Y.Label.Text = "cross-entropy"
	eer := gplot.New()
	eer.Title.Text = "dev EER"
	eer.X.Label.Text = "epoch"
	eer.Y.Label.Text = "EER (%)"
	for _, p := range []*gplot.Plot{loss, eer} {
		p.Add(plotter.NewGrid())
		p.X.Tick.Marker = curvesEpochTicks{}
	}

	train := curvesXY(points, func(p CurvePoint) float64 { return p.TrainLoss })
	dev := curvesXY(points, func(p CurvePoint) float64 { return p.DevLoss })
	rates := curvesXY(points, func(p CurvePoint) float64 { return 100 * p.DevEER })
	blue := color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}
	orange := color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff}
	if err := curvesAddLine(loss, "train", train, blue); err != nil {
		return nil, err
	}
	if err := curvesAddLine(loss, "dev", dev, orange); err != nil {
		return nil, err
	}
	if err := curvesAddLine(eer, "dev EER", rates, orange); err != nil {
		return nil, err
	}
	// Mark the best epoch: the one the trainer keeps.
	best := -1
	for i, p := range points {
		if !math.IsNaN(p.DevEER) && (best < 0 || p.DevEER < points[best].DevEER) {
			best = i
		}
	}
	if best >= 0 {
		s, err := plotter.NewScatter(plotter.XYs{{X: float64(points[best].Epoch), Y: 100 * points[best].DevEER}})
		if err != nil {
			return nil, err
		}
		s.GlyphStyle.Shape = draw.RingGlyph{}
		s.GlyphStyle.Radius = vg.Points(6)
		s.GlyphStyle.Color = color.Black
		eer.Add(s)
		eer.Legend.Add(fmt.Sprintf("best: epoch %d, %.2f%%", points[best].Epoch, 100*points[best].DevEER), s)
	}
	// Legends go top right, above the data: raise each plot's top by a
	// third of its data range to make room.
	for _, p := range []*gplot.Plot{loss, eer} {
		p.Legend.Top = true
		if math.IsInf(p.Y.Min, 0) || math.IsInf(p.Y.Max, 0) || p.Y.Max < p.Y.Min {
			continue // no data in this panel
		}
		if r := p.Y.Max - p.Y.Min; r > 0 {
			p.Y.Max += r / 3
		} else {
			p.Y.Max += math.Max(0.1, math.Abs(p.Y.Max)/3)
		}
	}

	const w, h = 11 * vg.Inch, 4 * vg.Inch
	img := vgimg.New(w, h)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Inch / 3, PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8)}
	plots := [][]*gplot.Plot{{loss, eer}}
	canvases := gplot.Align(plots, tiles, dc)
	loss.Draw(canvases[0][0])
	eer.Draw(canvases[0][1])
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("training curves: %w", err)
	}
	return buf.Bytes(), nil
}

// curvesXY collects the finite values of one series.
func curvesXY(points []CurvePoint, f func(CurvePoint) float64) plotter.XYs {
	var xy plotter.XYs
	for _, p := range points {
		if v := f(p); !math.IsNaN(v) && !math.IsInf(v, 0) {
			xy = append(xy, plotter.XY{X: float64(p.Epoch), Y: v})
		}
	}
	return xy
}

func curvesAddLine(p *gplot.Plot, name string, xy plotter.XYs, c color.Color) error {
	if len(xy) == 0 {
		return nil
	}
	l, s, err := plotter.NewLinePoints(xy)
	if err != nil {
		return fmt.Errorf("training curves: %s: %w", name, err)
	}
	l.Color = c
	l.Width = vg.Points(1.5)
	s.Color = c
	s.Shape = draw.CircleGlyph{}
	s.Radius = vg.Points(2)
	p.Add(l, s)
	p.Legend.Add(name, l, s)
	return nil
}

// curvesEpochTicks puts ticks on whole epochs only, at most about ten.
type curvesEpochTicks struct{}

func (curvesEpochTicks) Ticks(min, max float64) []gplot.Tick {
	lo, hi := math.Ceil(min), math.Floor(max)
	if hi < lo {
		return gplot.DefaultTicks{}.Ticks(min, max)
	}
	step := math.Max(1, math.Ceil((hi-lo+1)/10))
	var ticks []gplot.Tick
	for v := lo; v <= hi; v += step {
		ticks = append(ticks, gplot.Tick{Value: v, Label: fmt.Sprintf("%d", int(v))})
	}
	return ticks
}
