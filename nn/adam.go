package nn

import (
	"fmt"
	"math"

	"github.com/deep4deep/deep4deep/safetensors"
)

// Adam is the Adam optimiser with PyTorch's defaults and update rule
// (torch.optim.Adam, no weight decay, no amsgrad):
//
//	t ← t+1,  m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²
//	p ← p − (lr/(1−β₁ᵗ)) · m / (√v/√(1−β₂ᵗ) + ε)
//
// LR, Beta1, Beta2 and Eps may be changed between steps.
type Adam struct {
	LR, Beta1, Beta2, Eps float64

	net  *Net
	m, v []float32
	t    int64
	// per-step constants read by the parallel update: β₁, 1−β₁, β₂, 1−β₂,
	// step size, √(1−β₂ᵗ), ε
	c  [7]float32
	fn func(tid, lo, hi int)
}

// NewAdam makes an optimiser for n's parameters (β = 0.9, 0.999, ε = 1e-8).
func NewAdam(n *Net, lr float64) *Adam {
	a := &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, net: n,
		m: make([]float32, len(n.params)), v: make([]float32, len(n.params))}
	a.fn = func(_, lo, hi int) { a.update(lo, hi) }
	return a
}

// Step is the number of updates made so far.
func (a *Adam) Step() int64 { return a.t }

const adamChunk = 4096

func (a *Adam) step() {
	a.t++
	t := float64(a.t)
	a.c = [7]float32{float32(a.Beta1), float32(1 - a.Beta1), float32(a.Beta2), float32(1 - a.Beta2),
		float32(a.LR / (1 - math.Pow(a.Beta1, t))), float32(math.Sqrt(1 - math.Pow(a.Beta2, t))), float32(a.Eps)}
	n := len(a.m)
	a.net.wk.run((n+adamChunk-1)/adamChunk, a.fn)
}

func (a *Adam) update(lo, hi int) {
	p, g := a.net.params, a.net.grads
	e := &a.net.ks.elem
	for c := lo; c < hi; c++ {
		i0, i1 := c*adamChunk, min((c+1)*adamChunk, len(p))
		n8 := (i1 - i0) &^ 7
		if n8 > 0 {
			e.adam(&p[i0], &g[i0], &a.m[i0], &a.v[i0], n8, &a.c[0])
		}
		if i0+n8 < i1 {
			adamGo(&p[i0+n8], &g[i0+n8], &a.m[i0+n8], &a.v[i0+n8], i1-i0-n8, &a.c[0])
		}
	}
}

// Tensors returns the optimiser state for a checkpoint: "step" (I64 scalar)
// and, for every parameter NAME, "exp_avg.NAME" and "exp_avg_sq.NAME".
func (a *Adam) Tensors() map[string]safetensors.Tensor {
	m := map[string]safetensors.Tensor{"step": {DType: safetensors.I64, Shape: []int{}, I64: []int64{a.t}}}
	for _, t := range a.net.tensors {
		if !t.param {
			continue
		}
		m["exp_avg."+t.name] = safetensors.Tensor{DType: safetensors.F32, Shape: append([]int(nil), t.shape...), F32: append([]float32(nil), a.m[t.off:t.off+t.size()]...)}
		m["exp_avg_sq."+t.name] = safetensors.Tensor{DType: safetensors.F32, Shape: append([]int(nil), t.shape...), F32: append([]float32(nil), a.v[t.off:t.off+t.size()]...)}
	}
	return m
}

// SetTensors restores a state returned by Tensors (strict about names and
// shapes). On error the optimiser is unchanged.
func (a *Adam) SetTensors(ts map[string]safetensors.Tensor) error {
	st, ok := ts["step"]
	if !ok || st.DType != safetensors.I64 || len(st.I64) != 1 || st.I64[0] < 0 {
		return fmt.Errorf("nn: Adam state: missing or bad step")
	}
	want := 1
	for _, t := range a.net.tensors {
		if !t.param {
			continue
		}
		for _, pre := range []string{"exp_avg.", "exp_avg_sq."} {
			v, ok := ts[pre+t.name]
			if !ok {
				return fmt.Errorf("nn: Adam state: tensor %s missing", pre+t.name)
			}
			if v.DType != safetensors.F32 || !equalShape(v.Shape, t.shape) || len(v.F32) != t.size() {
				return fmt.Errorf("nn: Adam state: tensor %s is %s %v, want F32 %v", pre+t.name, v.DType, v.Shape, t.shape)
			}
			want++
		}
	}
	if len(ts) != want {
		return fmt.Errorf("nn: Adam state has %d tensors, want %d", len(ts), want)
	}
	for _, t := range a.net.tensors {
		if t.param {
			copy(a.m[t.off:], ts["exp_avg."+t.name].F32)
			copy(a.v[t.off:], ts["exp_avg_sq."+t.name].F32)
		}
	}
	a.t = st.I64[0]
	return nil
}
