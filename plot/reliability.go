package plot

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"strconv"

	"github.com/deep4deep/deep4deep/eval"
	"github.com/deep4deep/deep4deep/internal/atomicfile"
	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// ReliabilityBins is the number of equal-width probability bins of a
// reliability diagram: coarse enough that a few hundred trials fill them.
const ReliabilityBins = 10

// Reliability draws a reliability diagram of one or more systems whose
// scores are log-likelihood ratios (the DETCurve type carries them) as a PNG
// at path, written atomically. Each trial's predicted probability of being
// genuine is its posterior at the set's own proportion of genuine trials
// (eval.Reliability); x is the mean prediction of a bin, y the fraction of
// its trials that are genuine. Calibrated scores lie on the diagonal; points
// below it are over-confident "genuine" claims, points above it
// under-confident ones. Marker labels give the trials per bin; the legend
// gives each system's Cllr and min Cllr.
func Reliability(path string, curves []DETCurve) error {
	png, err := ReliabilityPNG(curves)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return atomicfile.WriteFile(path, png, 0o644)
}

// ReliabilityPNG renders the diagram of Reliability to PNG bytes.
func ReliabilityPNG(curves []DETCurve) ([]byte, error) {
	if len(curves) == 0 {
		return nil, errors.New("reliability plot: no systems to draw")
	}
	p := gplot.New()
	p.Title.Text = "Reliability of LLR scores (posterior at the set's prior)"
	p.X.Label.Text = "predicted P(genuine)"
	p.Y.Label.Text = "observed fraction genuine"
	p.Add(lightGrid())
	diag, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	if err != nil {
		return nil, err
	}
	diag.Color = color.Gray{Y: 0x90}
	diag.Dashes = []vg.Length{vg.Points(2), vg.Points(3)}
	p.Add(diag)
	for i, c := range curves {
		name := c.Label
		if name == "" {
			name = "system " + strconv.Itoa(i+1)
		}
		bins := eval.Reliability(c.Genuine, c.Spoof, 0, ReliabilityBins)
		if bins == nil {
			return nil, fmt.Errorf("reliability plot: %s: need at least one genuine and one spoof score, none NaN (have %d and %d)",
				name, len(c.Genuine), len(c.Spoof))
		}
		xy := make(plotter.XYs, len(bins))
		for k, b := range bins {
			xy[k] = plotter.XY{X: b.Predicted, Y: b.Observed}
		}
		l, s, err := plotter.NewLinePoints(xy)
		if err != nil {
			return nil, fmt.Errorf("reliability plot: %s: %w", name, err)
		}
		l.Color = plotutil.Color(i)
		l.Dashes = plotutil.Dashes(i)
		l.Width = vg.Points(1.5)
		s.GlyphStyle.Color = plotutil.Color(i)
		s.GlyphStyle.Shape = plotutil.Shape(i)
		s.GlyphStyle.Radius = vg.Points(3)
		p.Add(l, s)
		p.Legend.Add(fmt.Sprintf("%s (Cllr %.3f, min %.3f)", name,
			eval.Cllr(c.Genuine, c.Spoof), eval.MinCllr(c.Genuine, c.Spoof)), l, s)
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.XOffs = vg.Points(6)
	p.Legend.YOffs = vg.Points(-6)

	const size = 6 * vg.Inch
	img := vgimg.NewWith(vgimg.UseWH(size, size), vgimg.UseDPI(144))
	p.Draw(draw.New(img))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("reliability plot: %w", err)
	}
	return buf.Bytes(), nil
}
