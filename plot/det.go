package plot

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"math"
	"strconv"

	"github.com/deep4deep/deep4deep/eval"
	"github.com/deep4deep/deep4deep/internal/atomicfile"
	"gonum.org/v1/gonum/stat/distuv"
	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// DETCurve is one system on a DET plot: its scores on genuine and on spoof
// trials (higher = genuine).
type DETCurve struct {
	Label          string
	Genuine, Spoof []float64
}

// The DET axes span detMin…detMax (fractions) on the normal-deviate scale,
// wide enough to show every ROCCH-EER point (always ≤ 50 %).
const (
	detMin = 0.0005
	detMax = 0.6
)

// detTickPercents are the labelled ticks of both axes, in percent.
var detTickPercents = []float64{0.1, 0.5, 1, 2, 5, 10, 20, 40}

// DET draws a detection error trade-off plot of one or more systems as a PNG
// at path, written atomically. Both axes are on the normal-deviate (probit)
// scale, x = false acceptance rate (spoof trials accepted), y = false
// rejection rate (genuine trials rejected), with ticks at 0.1, 0.5, 1, 2, 5,
// 10, 20 and 40 %; a straight line on these axes is a pair of Gaussian
// score distributions with equal variance.
//
// Each curve is the ROC convex hull of its scores (eval.ROCCH), the curve
// whose crossing with the diagonal Pfa = Pmiss is the ROCCH-EER that eval
// reports, so the EER point marked on each curve lies exactly on it; this is
// how the BOSARIS toolkit draws DET plots. Hull segments, straight in ROC
// space, are drawn densely sampled so they bend correctly on probit axes.
// The legend gives each system's ROCCH-EER.
func DET(path string, curves []DETCurve) error {
	png, err := DETPNG(curves)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return atomicfile.WriteFile(path, png, 0o644)
}

// DETPNG renders the DET plot of DET to PNG bytes.
func DETPNG(curves []DETCurve) ([]byte, error) {
	if len(curves) == 0 {
		return nil, errors.New("DET plot: no curves to draw")
	}
	p := gplot.New()
	p.Title.Text = "DET curve (ROC convex hull)"
	p.X.Label.Text = "false acceptance rate: spoof accepted (%)"
	p.Y.Label.Text = "false rejection rate: genuine rejected (%)"
	p.Add(lightGrid())

	lo, hi := probit(detMin), probit(detMax)
	diag, err := plotter.NewLine(plotter.XYs{{X: lo, Y: lo}, {X: hi, Y: hi}})
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
		pfa, pmiss := eval.ROCCH(c.Genuine, c.Spoof)
		if pfa == nil {
			return nil, fmt.Errorf("DET plot: %s: need at least one genuine and one spoof score, none NaN (have %d and %d)",
				name, len(c.Genuine), len(c.Spoof))
		}
		eer := eval.EER(c.Genuine, c.Spoof)
		l, err := plotter.NewLine(detPoints(pfa, pmiss))
		if err != nil {
			return nil, fmt.Errorf("DET plot: %s: %w", name, err)
		}
		l.Color = plotutil.Color(i)
		l.Dashes = plotutil.Dashes(i)
		l.Width = vg.Points(1.5)
		m, err := plotter.NewScatter(plotter.XYs{{X: probit(eer), Y: probit(eer)}})
		if err != nil {
			return nil, fmt.Errorf("DET plot: %s: %w", name, err)
		}
		m.GlyphStyle.Shape = draw.RingGlyph{}
		m.GlyphStyle.Radius = vg.Points(4)
		m.GlyphStyle.Color = plotutil.Color(i)
		p.Add(l, m)
		p.Legend.Add(fmt.Sprintf("%s (EER %.2f%%)", name, 100*eer), l, m)
	}
	// Set the range after Add, which widens it to the data.
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = lo, hi, lo, hi
	p.X.Tick.Marker = detTicks{}
	p.Y.Tick.Marker = detTicks{}
	// Bottom left: the corner a DET curve reaches only for a system with
	// almost no errors of either kind.
	p.Legend.Top = false
	p.Legend.Left = true
	p.Legend.XOffs = vg.Points(6)
	p.Legend.YOffs = vg.Points(6)

	const size = 6 * vg.Inch
	img := vgimg.NewWith(vgimg.UseWH(size, size), vgimg.UseDPI(144))
	p.Draw(draw.New(img))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("DET plot: %w", err)
	}
	return buf.Bytes(), nil
}

// detClamp keeps rates of exactly 0 or 1 finite on the probit scale; the
// clamped points lie far outside the axes and are clipped.
const detClamp = 1e-7

// probit is the standard normal quantile Φ⁻¹(p), clamped to finite values.
func probit(p float64) float64 {
	return distuv.UnitNormal.Quantile(min(max(p, detClamp), 1-detClamp))
}

// detPoints samples the hull vertices (pfa, pmiss) onto probit axes: each
// segment, straight in ROC space, gets points every 0.01 normal deviates
// or so (at most 2,000), so that the curve it makes on probit axes is
// drawn smoothly.
func detPoints(pfa, pmiss []float64) plotter.XYs {
	xy := plotter.XYs{{X: probit(pfa[0]), Y: probit(pmiss[0])}}
	for i := 1; i < len(pfa); i++ {
		x0, y0, x1, y1 := pfa[i-1], pmiss[i-1], pfa[i], pmiss[i]
		d := math.Hypot(probit(x1)-probit(x0), probit(y1)-probit(y0))
		n := int(min(max(math.Ceil(d/0.01), 1), 2000))
		for k := 1; k <= n; k++ {
			t := float64(k) / float64(n)
			xy = append(xy, plotter.XY{X: probit(x0 + t*(x1-x0)), Y: probit(y0 + t*(y1-y0))})
		}
	}
	return xy
}

// detTicks marks 0.1 … 40 % on a probit axis, with unlabelled minor ticks
// between them.
type detTicks struct{}

func (detTicks) Ticks(min, max float64) []gplot.Tick {
	var ticks []gplot.Tick
	for _, v := range detTickPercents {
		ticks = append(ticks, gplot.Tick{Value: probit(v / 100), Label: strconv.FormatFloat(v, 'g', -1, 64)})
	}
	for _, v := range []float64{0.05, 0.2, 0.3, 0.4, 3, 4, 30, 50, 60} {
		ticks = append(ticks, gplot.Tick{Value: probit(v / 100)})
	}
	return ticks
}

// lightGrid is the light-grey 1 pt grid under the DET and reliability plots.
func lightGrid() *plotter.Grid {
	grid := plotter.NewGrid()
	for _, ls := range []*draw.LineStyle{&grid.Vertical, &grid.Horizontal} {
		ls.Color = color.Gray{Y: 0xc0}
		ls.Width = vg.Points(1)
	}
	return grid
}
