package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestDefaultArchParams(t *testing.T) {
	a := DefaultArch()
	if got := a.NumParams(); got != 863358 {
		t.Fatalf("DefaultArch().NumParams() = %d, want 863358 (DESIGN §4.1)", got)
	}
	n, err := New(a, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if n.NumParams() != 863358 {
		t.Fatalf("Net.NumParams() = %d", n.NumParams())
	}
}

func randInput(rng *rand.Rand, a Arch, batch int) ([]float32, []int32) {
	x := make([]float32, batch*a.InputHeight*a.InputWidth)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	y := make([]int32, batch)
	for i := range y {
		y[i] = int32(rng.IntN(a.Classes))
	}
	return x, y
}

// lossGradForTest runs forward (training mode) and backward without an
// update, restoring the dropout generator so that repeated calls see the
// same masks.
func (n *Net) lossGradForTest(x []float32, labels []int32) float64 {
	st := n.RNGState()
	batch := len(labels)
	if g := n.graph; g != nil {
		w, err := n.inputWidth(x, batch)
		if err != nil {
			panic(err)
		}
		if err := g.setInput(x, batch, n.arch.InputHeight, w, true, n.wk); err != nil {
			panic(err)
		}
		g.forward(true)
		z := g.output()
		g.dz = make([]float32, len(z))
		loss, _ := crossEntropy(z, n.arch.Classes, n.arch.Classes, 1, labels, g.dz)
		g.backward(g.dz)
		n.SetRNGState(st)
		return loss
	}
	n.ensure(batch, true)
	n.dirty = true
	n.pack()
	n.forward(x, batch, true)
	loss, _ := n.lossGrad(labels, true)
	n.backward()
	n.SetRNGState(st)
	return loss
}

var smallArchs = map[string]Arch{
	"two blocks": {InputHeight: 8, InputWidth: 7, Blocks: []Block{
		{Channels: []int{3, 4}, PoolH: 2, PoolW: 1},
		{Channels: []int{6}, PoolH: 3, PoolW: 2},
	}, Dense: []Dense{{Units: 5, Dropout: 0.3}, {Units: 7}}, Classes: 3},
	"default-like": {InputHeight: 16, InputWidth: 5, Blocks: []Block{
		{Channels: []int{4, 4}, PoolH: 2, PoolW: 1},
		{Channels: []int{8, 8}, PoolH: 2, PoolW: 2},
	}, Dense: []Dense{{Units: 16, Dropout: 0.25}, {Units: 8}}, Classes: 2},
	"no hidden dense": {InputHeight: 4, InputWidth: 4, Blocks: []Block{
		{Channels: []int{2}, PoolH: 1, PoolW: 1},
	}, Classes: 2},
}

// TestGradientCheck compares the analytic gradient of every parameter
// tensor (and so the backward pass of every layer: softmax cross-entropy,
// dense, dropout, ReLU, flatten, max pool, batch norm, convolution) with
// central finite differences of the training-mode loss.
func TestGradientCheck(t *testing.T) {
	for name, a := range smallArchs {
		for _, ks := range allKernels() {
			t.Run(name+"/"+ks.name, func(t *testing.T) {
				n, err := New(a, 7)
				if err != nil {
					t.Fatal(err)
				}
				defer n.Close()
				n.ks = ks
				rng := rand.New(rand.NewPCG(3, 4))
				x, y := randInput(rng, a, 5)
				n.lossGradForTest(x, y)
				grad := append([]float32(nil), n.grads...)
				for _, tr := range n.tensors {
					if !tr.param {
						continue
					}
					var worst float64
					var num, den float64
					for i := 0; i < tr.size(); i += 1 + tr.size()/23 {
						// The loss is piecewise smooth (ReLU, max pool): take the
						// better of two step sizes, so that one kink crossed by a
						// step does not fail the check; float32 rounding limits how
						// small h can be.
						an := float64(grad[tr.off+i])
						d, fd := math.Inf(1), 0.0
						for _, h := range []float32{1e-3, 3e-4, 1e-4} {
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
						worst = max(worst, d/(1e-3+math.Abs(fd)+math.Abs(an)))
						num += d * d
						den += fd*fd + 1e-8
					}
					// Relative L2 error over the tensor, and no grossly wrong element.
					if rel := math.Sqrt(num / (den + 1e-12)); rel > 3e-2 || worst > 0.25 {
						t.Errorf("%s: relative error %.3g (worst element %.3g)", tr.name, rel, worst)
					}
				}
			})
		}
	}
}
