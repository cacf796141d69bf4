package nn

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// withoutDropout returns a copy of a with every dropout probability 0, so
// that two engines (whose dropout generators draw differently) compute the
// same training step.
func withoutDropout(a Arch) Arch {
	if len(a.Layers) == 0 {
		a.Dense = append([]Dense(nil), a.Dense...)
		for i := range a.Dense {
			a.Dense[i].Dropout = 0
		}
		return a
	}
	var ls []LayerSpec
	for _, l := range a.Layers {
		if l.Type != "dropout" {
			ls = append(ls, l)
		}
	}
	a.Layers = ls
	return a
}

func randUtterances(rng *rand.Rand, a Arch, batch, width int) ([]float32, []int32) {
	x := make([]float32, batch*a.InputHeight*width)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	y := make([]int32, batch)
	for i := range y {
		y[i] = int32(rng.IntN(2))
	}
	return x, y
}

// relErr is ‖got − want‖ / max(‖want‖, floor) over a tensor. The floor
// keeps gradients that are zero in exact arithmetic (a convolution bias
// followed by batch norm) from dividing rounding noise by rounding noise.
func relErr(got, want []float32, floor float64) float64 {
	var num, den float64
	for i := range want {
		d := float64(got[i]) - float64(want[i])
		num += d * d
		den += float64(want[i]) * float64(want[i])
	}
	return math.Sqrt(num) / math.Max(math.Sqrt(den), floor)
}

// gradFloor is the gradient-norm floor of relErr for a network: 1e-3 of
// the norm of its whole gradient.
func gradFloor(g []float32) float64 {
	var s float64
	for _, v := range g {
		s += float64(v) * float64(v)
	}
	return 1e-3 * math.Sqrt(s)
}

// TestFusedMatchesGraph runs the seed family on both engines (the fused,
// padded-layout kernels and the plain layers) from the same weights: eval
// logits, the training loss, every parameter gradient, the batch-norm
// running statistics and the parameters after two Adam steps must agree to
// float32 rounding.
func TestFusedMatchesGraph(t *testing.T) {
	archs := map[string]Arch{"seed-cnn": DefaultArch()}
	for name, a := range smallArchs {
		archs[name] = a
	}
	for name, a := range archs {
		a = withoutDropout(a)
		t.Run(name, func(t *testing.T) {
			fused, err := New(a, 3)
			if err != nil {
				t.Fatal(err)
			}
			defer fused.Close()
			ref, err := newNet(a, 3, enginePlain)
			if err != nil {
				t.Fatal(err)
			}
			defer ref.Close()
			if fused.graph != nil || ref.graph == nil {
				t.Fatal("engines not as requested")
			}
			rng := rand.New(rand.NewPCG(5, 6))
			batch := 6
			x, y := randInput(rng, a, batch)
			zf, zr := make([]float32, batch*a.Classes), make([]float32, batch*a.Classes)
			if err := fused.Logits(x, batch, zf); err != nil {
				t.Fatal(err)
			}
			if err := ref.Logits(x, batch, zr); err != nil {
				t.Fatal(err)
			}
			if e := relErr(zf, zr, 0); e > 1e-5 {
				t.Errorf("eval logits: relative error %.3g", e)
			}
			of, or := NewAdam(fused, 1e-3), NewAdam(ref, 1e-3)
			for step := 0; step < 2; step++ {
				lf, cf, err := fused.TrainStep(x, y, of)
				if err != nil {
					t.Fatal(err)
				}
				lr, cr, err := ref.TrainStep(x, y, or)
				if err != nil {
					t.Fatal(err)
				}
				if math.Abs(lf-lr) > 1e-5*math.Max(1, math.Abs(lr)) || cf != cr {
					t.Errorf("step %d: loss %.8g (%d correct), reference %.8g (%d)", step, lf, cf, lr, cr)
				}
				if step == 0 {
					// After one step (later, the cancelled conv biases
					// differ, and the running means include them).
					if e := relErr(fused.stats, ref.stats, 0); e > 1e-5 {
						t.Errorf("running statistics: relative error %.3g", e)
					}
				}
				floor := gradFloor(ref.grads)
				for _, tr := range fused.tensors {
					if !tr.param {
						continue
					}
					g, w := fused.grads[tr.off:tr.off+tr.size()], ref.grads[tr.off:tr.off+tr.size()]
					fl, tol := floor, 1e-4
					if cancelledBias(tr.name) {
						// Zero in exact arithmetic: both engines hold only
						// rounding noise, so measure it against the whole
						// gradient (measured 1.1e-7 with -tags purego).
						fl, tol = 1e3*floor, 1e-6
					}
					if e := relErr(g, w, fl); e > tol {
						t.Errorf("step %d: gradient of %s: relative error %.3g", step, tr.name, e)
					}
				}
			}
			// Adam turns even rounding noise into a full step, so the
			// parameters are compared where the gradient is not zero in
			// exact arithmetic: every tensor but the convolution biases
			// (each followed by batch norm, which cancels them).
			for _, tr := range fused.tensors {
				if !tr.param || cancelledBias(tr.name) {
					continue
				}
				if e := relErr(fused.params[tr.off:tr.off+tr.size()], ref.params[tr.off:tr.off+tr.size()], 0); e > 1e-5 {
					t.Errorf("%s after 2 Adam steps: relative error %.3g", tr.name, e)
				}
			}
		})
	}
}

// layerArchs are small networks that use every layer of the graph engine.
var layerArchs = map[string]Arch{
	"lcnn-like": {Input: InputUtterance, InputHeight: 8, Classes: 2, Layers: []LayerSpec{
		{Type: "conv", Name: "c1", Out: 4, Kernel: 5},
		{Type: "mfm"},
		{Type: "maxpool", Size: [2]int{2, 2}},
		{Type: "conv", Name: "c2", Out: 6, Kernel: 1},
		{Type: "mfm"},
		{Type: "batchnorm", Name: "bn2", Affine: new(false)},
		{Type: "conv", Name: "c3", Out: 4, Kernel: 3},
		{Type: "mfm"},
		{Type: "batchnorm", Name: "bn3"},
		{Type: "dropout", P: 0.3},
		{Type: "timepool", Mode: "meanstd"},
		{Type: "dense", Name: "out", Out: 2},
	}},
	"valid-avg-attentive-sigmoid": {Input: InputUtterance, InputHeight: 6, Classes: 1, Layers: []LayerSpec{
		{Type: "conv", Name: "c1", Out: 3, Kernel: 3, Padding: "valid"},
		{Type: "relu"},
		{Type: "avgpool", Size: [2]int{2, 1}},
		{Type: "timepool", Name: "pool", Mode: "attentive", Hidden: 5},
		{Type: "dense", Name: "fc", Out: 4},
		{Type: "relu"},
		{Type: "dense", Name: "out", Out: 1},
	}},
	"mean-pool": {Input: InputUtterance, InputHeight: 5, Classes: 2, Layers: []LayerSpec{
		{Type: "conv", Name: "c1", Out: 4, Kernel: 3},
		{Type: "batchnorm", Name: "bn1"},
		{Type: "relu"},
		{Type: "maxpool", Size: [2]int{1, 2}},
		{Type: "timepool", Mode: "mean"},
		{Type: "dense", Name: "out", Out: 2},
	}},
}

// TestGraphGradientCheck compares the graph engine's gradient of every
// parameter tensor (the backward pass of every layer) with central finite
// differences of the training-mode loss, computed in float64 by perturbing
// one parameter at a time.
func TestGraphGradientCheck(t *testing.T) {
	for name, a := range layerArchs {
		t.Run(name, func(t *testing.T) {
			n, err := New(a, 11)
			if err != nil {
				t.Fatal(err)
			}
			defer n.Close()
			rng := rand.New(rand.NewPCG(1, 3))
			x, y := randUtterances(rng, a, 4, 12)
			n.lossGradForTest(x, y)
			grad := append([]float32(nil), n.grads...)
			floor := gradFloor(grad)
			for _, tr := range n.tensors {
				if !tr.param {
					continue
				}
				var num, den float64
				for i := 0; i < tr.size(); i += 1 + tr.size()/17 {
					// The loss is piecewise smooth (ReLU, max pool, MFM):
					// the better of two steps, so that one kink crossed
					// by a step does not fail the check.
					an := float64(grad[tr.off+i])
					d, fd := math.Inf(1), 0.0
					for _, h := range []float32{1e-2, 1e-3} {
						p := &n.params[tr.off+i]
						old := *p
						*p = old + h
						lp := n.lossGradForTest(x, y)
						*p = old - h
						lm := n.lossGradForTest(x, y)
						*p = old
						f := (lp - lm) / float64(2*h)
						if math.Abs(f-an) < d {
							d, fd = math.Abs(f-an), f
						}
					}
					num += d * d
					den += fd * fd
					if testing.Verbose() {
						t.Logf("%s[%d]: analytic %.6g, numeric %.6g", tr.name, i, an, fd)
					}
				}
				if rel := math.Sqrt(num) / math.Max(math.Sqrt(den), floor); rel > 2e-2 {
					t.Errorf("%s: relative error %.3g", tr.name, rel)
				}
			}
		})
	}
}

// cancelledBias reports whether a tensor is the bias of a convolution that
// batch norm follows in the seed family, whose gradient is zero in exact
// arithmetic.
func cancelledBias(name string) bool {
	return strings.Contains(name, ".conv") && strings.HasSuffix(name, ".bias")
}
