package nn

import (
	"fmt"
	"math"
)

// This file is the layer seam: every layer of an architecture (LayerSpec)
// is a value implementing layer, with a plain Go forward and backward pass
// over NCHW float32 tensors. These passes are the executable specification
// of the engine, written to be read (as llm.c's layer_forward and
// layer_backward functions are): the generic graph engine (graph.go) runs
// them directly, and the fused engine (net.go, conv.go, dense.go) is tested
// against them.

// shape is the shape of one sample's activation: channels × height × width.
// A vector (after flatten or time pooling) is c × 1 × 1.
type shape struct{ c, h, w int }

func (s shape) size() int { return s.c * s.h * s.w }

// tensor is a batch of activations, row-major [n][c][h][w].
type tensor struct {
	n    int
	s    shape
	data []float32
}

// resize sets the tensor's shape, reusing its storage when it is large
// enough. The contents are not cleared.
func (t *tensor) resize(n int, s shape) {
	t.n, t.s = n, s
	k := n * s.size()
	if cap(t.data) < k {
		t.data = make([]float32, k)
	}
	t.data = t.data[:k]
}

// sample is sample i's values.
func (t *tensor) sample(i int) []float32 {
	k := t.s.size()
	return t.data[i*k : (i+1)*k]
}

// tensorSpec is one tensor of a layer, in PyTorch naming and layout.
type tensorSpec struct {
	name  string // full state_dict name
	shape []int
	param bool // trainable (else a buffer: batch-norm running statistics)
	// init: PyTorch's default initialisation of this tensor.
	init  initKind
	fanIn int // for initUniform
}

type initKind int

const (
	initUniform initKind = iota // U(±1/√fan_in): conv and linear weights and biases
	initOnes                    // batch-norm weight, running variance
	initZeros                   // batch-norm bias, running mean
)

// layer is one layer of the graph engine.
//
// A layer is built from its LayerSpec and its input shape (newLayer); it
// lists its tensors (tensors), is given slices of the network's parameter,
// gradient and buffer storage in that order (bind), and then runs forward
// and backward passes on batches. forward reads x and writes y (resized by
// the caller to outShape); backward reads x, y and dy and writes the
// parameter gradients (overwriting, not accumulating) and, when dx is not
// nil, dL/dx. Layers keep what backward needs from forward (batch-norm
// statistics, pooling argmax, dropout masks) in their own buffers.
type layer interface {
	outShape(in shape) shape
	tensors() []tensorSpec
	bind(params, grads [][]float32)
	forward(x, y *tensor, ctx *passCtx)
	backward(x, y, dy, dx *tensor, ctx *passCtx)
}

// passCtx is what a pass needs beyond its tensors.
type passCtx struct {
	training bool
	// uniform draws the dropout masks (training only): a value in [0, 1).
	uniform func() float64
	// wk runs the fast layers' parallel parts (nil: the plain engine,
	// single-threaded).
	wk *workers
	// scratch is one buffer per worker thread, shared by the fast layers
	// (each layer uses it only within one pass); see scratchBuf.
	scratch [][]float32
}

// scratchBuf returns worker tid's scratch buffer with at least n values
// (contents undefined), growing it once to the largest size asked for.
func (c *passCtx) scratchBuf(tid, n int) []float32 {
	if cap(c.scratch[tid]) < n {
		c.scratch[tid] = make([]float32, n)
	}
	return c.scratch[tid][:n]
}

// splitLayer is a layer whose passes split into independent items
// (samples, or channels for batch norm): forward is forwardPart over all
// items, and the fast path runs the same forwardPart on ranges of items in
// parallel (parallelLayer), with the same arithmetic per item.
type splitLayer interface {
	layer
	// parts is the number of items of a pass on x; it also sizes any
	// state the parts share (before they run).
	parts(x *tensor) int
	forwardPart(x, y *tensor, ctx *passCtx, lo, hi int)
	backwardPart(x, y, dy, dx *tensor, ctx *passCtx, lo, hi int)
}

// newLayer builds the layer of spec s on inputs of shape in; prefix names
// its tensors when s.Name is empty.
func newLayer(s LayerSpec, in shape) (layer, error) {
	switch s.Type {
	case "conv":
		return newConvRef(s, in)
	case "mfm":
		if in.c%2 != 0 {
			return nil, fmt.Errorf("max-feature-map needs an even channel count, have %d", in.c)
		}
		return &mfmLayer{in: in}, nil
	case "batchnorm":
		return newBatchNorm(s, in), nil
	case "relu":
		return &reluLayer{in: in}, nil
	case "maxpool", "avgpool":
		ph, pw := s.Size[0], s.Size[1]
		if ph < 1 || pw < 1 {
			return nil, fmt.Errorf("pool size %d×%d", ph, pw)
		}
		out := shape{in.c, in.h / ph, in.w / pw}
		if out.h < 1 || (in.w > 0 && out.w < 1) {
			return nil, fmt.Errorf("a %d×%d pool leaves an empty map from %d×%d", ph, pw, in.h, in.w)
		}
		return &poolLayer{in: in, out: out, ph: ph, pw: pw, max: s.Type == "maxpool"}, nil
	case "dropout":
		if !(s.P >= 0 && s.P < 1) {
			return nil, fmt.Errorf("dropout probability %v outside [0, 1)", s.P)
		}
		return &dropoutLayer{in: in, p: s.P}, nil
	case "flatten":
		return &flattenLayer{in: in}, nil
	case "dense":
		if in.h != 1 || in.w != 1 {
			return nil, fmt.Errorf("dense needs a vector input (add flatten or timepool), have %d×%d×%d", in.c, in.h, in.w)
		}
		if s.Out < 1 || s.Out > 1<<16 {
			return nil, fmt.Errorf("dense: bad unit count %d", s.Out)
		}
		return &denseRef{name: s.Name, fin: in.c, fout: s.Out}, nil
	case "timepool":
		switch s.Mode {
		case "mean", "meanstd":
			return &timePool{in: in, std: s.Mode == "meanstd"}, nil
		case "attentive":
			if s.Hidden < 1 || s.Hidden > 1<<14 {
				return nil, fmt.Errorf("attentive pooling: bad hidden size %d", s.Hidden)
			}
			return newAttentivePool(s, in), nil
		}
		return nil, fmt.Errorf("timepool mode %q (want mean, meanstd or attentive)", s.Mode)
	}
	return nil, fmt.Errorf("unknown layer type %q", s.Type)
}

// ---- convolution ----

// convRef is a k×k convolution with stride 1 and a bias, SAME (zero padding
// k/2 on each side) or VALID:
//
//	y[o][h][w] = b[o] + Σ_{i,dh,dw} W[o][i][dh][dw] · x[i][h+dh−p][w+dw−p]
//
// with x = 0 outside the map.
type convRef struct {
	name      string
	cin, cout int
	k, pad    int
	in, out   shape
	w, b      []float32
	dw, db    []float32
}

func newConvRef(s LayerSpec, in shape) (*convRef, error) {
	k := s.Kernel
	if k < 1 || k%2 == 0 || k > 15 {
		return nil, fmt.Errorf("conv: kernel %d (want an odd size up to 15)", k)
	}
	if s.Out < 1 || s.Out > 4096 {
		return nil, fmt.Errorf("conv: bad channel count %d", s.Out)
	}
	c := &convRef{name: s.Name, cin: in.c, cout: s.Out, k: k, in: in}
	switch s.Padding {
	case "", "same":
		c.pad = k / 2
		c.out = shape{s.Out, in.h, in.w}
	case "valid":
		c.out = shape{s.Out, in.h - k + 1, in.w - k + 1}
		if c.out.h < 1 || (in.w > 0 && c.out.w < 1) {
			return nil, fmt.Errorf("conv: a VALID %d×%d kernel leaves an empty map from %d×%d", k, k, in.h, in.w)
		}
	default:
		return nil, fmt.Errorf("conv: padding %q (want same or valid)", s.Padding)
	}
	return c, nil
}

func (c *convRef) outShape(in shape) shape {
	return shape{c.cout, in.h + 2*c.pad - c.k + 1, in.w + 2*c.pad - c.k + 1}
}

func (c *convRef) tensors() []tensorSpec {
	fan := c.cin * c.k * c.k
	return []tensorSpec{
		{name: c.name + ".weight", shape: []int{c.cout, c.cin, c.k, c.k}, param: true, fanIn: fan},
		{name: c.name + ".bias", shape: []int{c.cout}, param: true, fanIn: fan},
	}
}

func (c *convRef) bind(p, g [][]float32) { c.w, c.b, c.dw, c.db = p[0], p[1], g[0], g[1] }

func (c *convRef) forward(x, y *tensor, _ *passCtx) {
	ih, iw := x.s.h, x.s.w
	oh, ow := y.s.h, y.s.w
	k, p := c.k, c.pad
	for n := 0; n < x.n; n++ {
		xs, ys := x.sample(n), y.sample(n)
		for o := 0; o < c.cout; o++ {
			yo := ys[o*oh*ow : (o+1)*oh*ow]
			for i := range yo {
				yo[i] = c.b[o]
			}
			for i := 0; i < c.cin; i++ {
				xi := xs[i*ih*iw : (i+1)*ih*iw]
				for dh := 0; dh < k; dh++ {
					for dw := 0; dw < k; dw++ {
						wv := c.w[((o*c.cin+i)*k+dh)*k+dw]
						// Output columns whose input column w+dw−p is inside.
						w0, w1 := max(0, p-dw), min(ow, iw+p-dw)
						for h := 0; h < oh; h++ {
							hh := h + dh - p
							if hh < 0 || hh >= ih || w0 >= w1 {
								continue
							}
							src := xi[hh*iw+w0+dw-p : hh*iw+w1+dw-p]
							dst := yo[h*ow+w0 : h*ow+w1]
							for j, v := range src {
								dst[j] += wv * v
							}
						}
					}
				}
			}
		}
	}
}

func (c *convRef) backward(x, y, dy, dx *tensor, _ *passCtx) {
	ih, iw := x.s.h, x.s.w
	oh, ow := y.s.h, y.s.w
	k, p := c.k, c.pad
	clear(c.dw)
	clear(c.db)
	if dx != nil {
		clear(dx.data)
	}
	for n := 0; n < x.n; n++ {
		xs, gs := x.sample(n), dy.sample(n)
		for o := 0; o < c.cout; o++ {
			gOut := gs[o*oh*ow : (o+1)*oh*ow]
			var sb float32
			for _, v := range gOut {
				sb += v
			}
			c.db[o] += sb
			for i := 0; i < c.cin; i++ {
				xi := xs[i*ih*iw : (i+1)*ih*iw]
				var dxi []float32
				if dx != nil {
					dxi = dx.sample(n)[i*ih*iw : (i+1)*ih*iw]
				}
				for dh := 0; dh < k; dh++ {
					for dw := 0; dw < k; dw++ {
						wi := ((o*c.cin+i)*k+dh)*k + dw
						wv := c.w[wi]
						w0, w1 := max(0, p-dw), min(ow, iw+p-dw)
						var s float32
						for h := 0; h < oh; h++ {
							hh := h + dh - p
							if hh < 0 || hh >= ih || w0 >= w1 {
								continue
							}
							src := xi[hh*iw+w0+dw-p : hh*iw+w1+dw-p]
							g := gOut[h*ow+w0 : h*ow+w1]
							for j, v := range src {
								s += g[j] * v
							}
							if dxi != nil {
								d := dxi[hh*iw+w0+dw-p : hh*iw+w1+dw-p]
								for j, v := range g {
									d[j] += wv * v
								}
							}
						}
						c.dw[wi] += s
					}
				}
			}
		}
	}
}

// ---- max-feature-map ----

// mfmLayer is the max-feature-map of LCNN: the channels are split in two
// halves and y[c] = max(x[c], x[c + C/2]) element-wise. The gradient goes
// to the larger input (the first half on ties, as PyTorch's max over a
// dimension of two).
type mfmLayer struct{ in shape }

func (m *mfmLayer) outShape(in shape) shape { return shape{in.c / 2, in.h, in.w} }
func (m *mfmLayer) tensors() []tensorSpec   { return nil }
func (m *mfmLayer) bind(_, _ [][]float32)   {}
func (m *mfmLayer) parts(x *tensor) int     { return x.n }
func (m *mfmLayer) forward(x, y *tensor, ctx *passCtx) {
	m.forwardPart(x, y, ctx, 0, x.n)
}
func (m *mfmLayer) backward(x, y, dy, dx *tensor, ctx *passCtx) {
	m.backwardPart(x, y, dy, dx, ctx, 0, x.n)
}

// forwardPart and backwardPart run samples lo..hi.
func (m *mfmLayer) forwardPart(x, y *tensor, _ *passCtx, lo, hi int) {
	half := y.s.size()
	for n := lo; n < hi; n++ {
		xs, ys := x.sample(n), y.sample(n)
		a, b := xs[:half], xs[half:]
		for i := range ys {
			ys[i] = a[i]
			if b[i] > a[i] {
				ys[i] = b[i]
			}
		}
	}
}

func (m *mfmLayer) backwardPart(x, y, dy, dx *tensor, _ *passCtx, lo, hi int) {
	if dx == nil {
		return
	}
	half := y.s.size()
	for n := lo; n < hi; n++ {
		xs, gs, ds := x.sample(n), dy.sample(n), dx.sample(n)
		a, b := xs[:half], xs[half:]
		da, db := ds[:half], ds[half:]
		for i, g := range gs {
			if b[i] > a[i] {
				da[i], db[i] = 0, g
			} else {
				da[i], db[i] = g, 0
			}
		}
	}
}

// ---- batch norm ----

// batchNorm normalises each channel over the batch and positions:
//
//	y = (x − μ)/√(σ² + ε) · γ + β   (γ = 1, β = 0 without affine parameters)
//
// with the batch mean and biased variance in training (the running
// variance takes the unbiased one, momentum 0.1) and the running averages
// in inference: PyTorch's BatchNorm1d/2d.
type batchNorm struct {
	name        string
	affine      bool
	in          shape
	gamma, beta []float32
	dgamma      []float32
	dbeta       []float32
	runMean     []float32
	runVar      []float32
	mean, inv   []float64 // batch statistics of the last training forward
}

func newBatchNorm(s LayerSpec, in shape) *batchNorm {
	return &batchNorm{name: s.Name, affine: s.Affine == nil || *s.Affine, in: in,
		mean: make([]float64, in.c), inv: make([]float64, in.c)}
}

func (b *batchNorm) outShape(in shape) shape { return in }

func (b *batchNorm) tensors() []tensorSpec {
	c := b.in.c
	var ts []tensorSpec
	if b.affine {
		ts = append(ts, tensorSpec{name: b.name + ".weight", shape: []int{c}, param: true, init: initOnes},
			tensorSpec{name: b.name + ".bias", shape: []int{c}, param: true, init: initZeros})
	}
	return append(ts, tensorSpec{name: b.name + ".running_mean", shape: []int{c}, init: initZeros},
		tensorSpec{name: b.name + ".running_var", shape: []int{c}, init: initOnes})
}

func (b *batchNorm) bind(p, g [][]float32) {
	if b.affine {
		b.gamma, b.beta, b.dgamma, b.dbeta = p[0], p[1], g[0], g[1]
		p = p[2:]
	}
	b.runMean, b.runVar = p[0], p[1]
}

func (b *batchNorm) scaleShift(c int) (float64, float64) {
	if b.affine {
		return float64(b.gamma[c]), float64(b.beta[c])
	}
	return 1, 0
}

func (b *batchNorm) parts(x *tensor) int { return b.in.c }
func (b *batchNorm) forward(x, y *tensor, ctx *passCtx) {
	b.forwardPart(x, y, ctx, 0, b.in.c)
}
func (b *batchNorm) backward(x, y, dy, dx *tensor, ctx *passCtx) {
	b.backwardPart(x, y, dy, dx, ctx, 0, b.in.c)
}

// forwardPart and backwardPart run channels lo..hi.
func (b *batchNorm) forwardPart(x, y *tensor, ctx *passCtx, lo, hi int) {
	hw := x.s.h * x.s.w
	for c := lo; c < hi; c++ {
		var mean, inv float64
		if ctx.training {
			var s float64
			for n := 0; n < x.n; n++ {
				for _, v := range x.sample(n)[c*hw : (c+1)*hw] {
					s += float64(v)
				}
			}
			cnt := float64(x.n * hw)
			mean = s / cnt
			var ss float64
			for n := 0; n < x.n; n++ {
				for _, v := range x.sample(n)[c*hw : (c+1)*hw] {
					d := float64(v) - mean
					ss += d * d
				}
			}
			inv = b.batchStats(c, mean, ss/cnt, cnt)
		} else {
			mean, inv = b.runningStats(c)
		}
		b.normalize(x, y, c, mean, inv)
	}
}

// batchStats records channel c's batch mean and variance (over cnt values)
// for backward, folds them into the running statistics (the variance
// unbiased, as PyTorch does) and returns 1/√(variance + ε).
func (b *batchNorm) batchStats(c int, mean, variance, cnt float64) (inv float64) {
	inv = 1 / math.Sqrt(variance+bnEps)
	b.mean[c], b.inv[c] = mean, inv
	unbiased := variance
	if cnt > 1 {
		unbiased = variance * cnt / (cnt - 1)
	}
	b.runMean[c] = float32((1-bnMomentum)*float64(b.runMean[c]) + bnMomentum*mean)
	b.runVar[c] = float32((1-bnMomentum)*float64(b.runVar[c]) + bnMomentum*unbiased)
	return inv
}

// runningStats is channel c's inference-mode mean and 1/√(variance + ε).
func (b *batchNorm) runningStats(c int) (mean, inv float64) {
	return float64(b.runMean[c]), 1 / math.Sqrt(float64(b.runVar[c])+bnEps)
}

// normalize writes channel c of y: (x − mean)·inv·γ + β, as one float32
// scale and shift per channel.
func (b *batchNorm) normalize(x, y *tensor, c int, mean, inv float64) {
	hw := x.s.h * x.s.w
	g, bt := b.scaleShift(c)
	scale := float32(g * inv)
	shift := float32(bt - mean*g*inv)
	for n := 0; n < x.n; n++ {
		src, dst := x.sample(n)[c*hw:(c+1)*hw], y.sample(n)[c*hw:(c+1)*hw]
		dst = dst[:len(src)]
		for i, v := range src {
			dst[i] = v*scale + shift
		}
	}
}

// backward: with x̂ = (x − μ)·inv and M values per channel,
//
//	dβ = Σ dy,  dγ = Σ dy·x̂,  dx = γ·inv·(dy − dβ/M − x̂·dγ/M).
func (b *batchNorm) backwardPart(x, y, dy, dx *tensor, _ *passCtx, lo, hi int) {
	hw := x.s.h * x.s.w
	cnt := float64(x.n * hw)
	for c := lo; c < hi; c++ {
		mean, inv := b.mean[c], b.inv[c]
		var sg, sgx float64
		for n := 0; n < x.n; n++ {
			xs, gs := x.sample(n)[c*hw:(c+1)*hw], dy.sample(n)[c*hw:(c+1)*hw]
			for i, g := range gs {
				sg += float64(g)
				sgx += float64(g) * (float64(xs[i]) - mean) * inv
			}
		}
		if b.affine {
			b.dbeta[c], b.dgamma[c] = float32(sg), float32(sgx)
		}
		if dx == nil {
			continue
		}
		g, _ := b.scaleShift(c)
		k := g * inv
		for n := 0; n < x.n; n++ {
			xs, gs, ds := x.sample(n)[c*hw:(c+1)*hw], dy.sample(n)[c*hw:(c+1)*hw], dx.sample(n)[c*hw:(c+1)*hw]
			for i, gv := range gs {
				xh := (float64(xs[i]) - mean) * inv
				ds[i] = float32(k * (float64(gv) - sg/cnt - xh*sgx/cnt))
			}
		}
	}
}

// ---- ReLU ----

type reluLayer struct{ in shape }

func (r *reluLayer) outShape(in shape) shape { return in }
func (r *reluLayer) tensors() []tensorSpec   { return nil }
func (r *reluLayer) bind(_, _ [][]float32)   {}
func (r *reluLayer) parts(x *tensor) int     { return x.n }
func (r *reluLayer) forward(x, y *tensor, ctx *passCtx) {
	r.forwardPart(x, y, ctx, 0, x.n)
}
func (r *reluLayer) backward(x, y, dy, dx *tensor, ctx *passCtx) {
	r.backwardPart(x, y, dy, dx, ctx, 0, x.n)
}

// forwardPart and backwardPart run samples lo..hi.
func (r *reluLayer) forwardPart(x, y *tensor, _ *passCtx, lo, hi int) {
	k := x.s.size()
	ys := y.data[lo*k : hi*k]
	for i, v := range x.data[lo*k : hi*k] {
		ys[i] = max(v, 0)
	}
}

// backward: the gradient passes where the input was positive (PyTorch's
// ReLU gradient at 0 is 0).
func (r *reluLayer) backwardPart(x, y, dy, dx *tensor, _ *passCtx, lo, hi int) {
	if dx == nil {
		return
	}
	k := x.s.size()
	gs, ds := dy.data[lo*k:hi*k], dx.data[lo*k:hi*k]
	for i, v := range x.data[lo*k : hi*k] {
		g := float32(0)
		if v > 0 {
			g = gs[i]
		}
		ds[i] = g
	}
}

// ---- pooling ----

// poolLayer is a ph × pw max or average pool with stride equal to its size
// (VALID: trailing rows and columns that do not fill a window are dropped).
// Max-pool ties go to the first maximum in row-major window order, as in
// PyTorch.
type poolLayer struct {
	in, out shape
	ph, pw  int
	max     bool
	arg     []int32 // max: per output value, the input index within its sample
}

func (p *poolLayer) outShape(in shape) shape { return shape{in.c, in.h / p.ph, in.w / p.pw} }
func (p *poolLayer) tensors() []tensorSpec   { return nil }
func (p *poolLayer) bind(_, _ [][]float32)   {}

// parts sizes the argmax buffer for the batch (the output's size).
func (p *poolLayer) parts(x *tensor) int {
	if p.max {
		k := x.n * p.outShape(x.s).size()
		if cap(p.arg) < k {
			p.arg = make([]int32, k)
		}
		p.arg = p.arg[:k]
	}
	return x.n * x.s.c
}

func (p *poolLayer) forward(x, y *tensor, ctx *passCtx) {
	p.forwardPart(x, y, ctx, 0, p.parts(x))
}

func (p *poolLayer) backward(x, y, dy, dx *tensor, ctx *passCtx) {
	p.backwardPart(x, y, dy, dx, ctx, 0, x.n*x.s.c)
}

// forwardPart and backwardPart run the maps lo..hi, map i being channel
// i mod C of sample i / C.
func (p *poolLayer) forwardPart(x, y *tensor, _ *passCtx, lo, hi int) {
	ih, iw, oh, ow := x.s.h, x.s.w, y.s.h, y.s.w
	inv := 1 / float32(p.ph*p.pw)
	per := y.s.size()
	for i := lo; i < hi; i++ {
		n, c := i/x.s.c, i%x.s.c
		xs, ys := x.sample(n), y.sample(n)
		for h := 0; h < oh; h++ {
			for w := 0; w < ow; w++ {
				q0 := c*ih*iw + h*p.ph*iw + w*p.pw
				o := (c*oh+h)*ow + w
				if p.max {
					best, bq := xs[q0], q0
					for dh := 0; dh < p.ph; dh++ {
						for dw := 0; dw < p.pw; dw++ {
							q := q0 + dh*iw + dw
							if xs[q] > best {
								best, bq = xs[q], q
							}
						}
					}
					ys[o] = best
					p.arg[n*per+o] = int32(bq)
					continue
				}
				var s float32
				for dh := 0; dh < p.ph; dh++ {
					for dw := 0; dw < p.pw; dw++ {
						s += xs[q0+dh*iw+dw]
					}
				}
				ys[o] = s * inv
			}
		}
	}
}

func (p *poolLayer) backwardPart(x, y, dy, dx *tensor, _ *passCtx, lo, hi int) {
	if dx == nil {
		return
	}
	ih, iw, oh, ow := x.s.h, x.s.w, y.s.h, y.s.w
	inv := 1 / float32(p.ph*p.pw)
	per := y.s.size()
	for i := lo; i < hi; i++ {
		n, c := i/x.s.c, i%x.s.c
		gs, ds := dy.sample(n), dx.sample(n)
		clear(ds[c*ih*iw : (c+1)*ih*iw])
		for h := 0; h < oh; h++ {
			for w := 0; w < ow; w++ {
				o := (c*oh+h)*ow + w
				if p.max {
					ds[p.arg[n*per+o]] += gs[o]
					continue
				}
				q0 := c*ih*iw + h*p.ph*iw + w*p.pw
				for dh := 0; dh < p.ph; dh++ {
					for dw := 0; dw < p.pw; dw++ {
						ds[q0+dh*iw+dw] += gs[o] * inv
					}
				}
			}
		}
	}
}

// ---- dropout ----

// dropoutLayer is inverted dropout: in training y = x·m with m = 0 with
// probability p, else 1/(1−p); the identity in inference.
type dropoutLayer struct {
	in   shape
	p    float64
	mask []float32
	used bool // the last forward drew a mask
}

func (d *dropoutLayer) outShape(in shape) shape { return in }
func (d *dropoutLayer) tensors() []tensorSpec   { return nil }
func (d *dropoutLayer) bind(_, _ [][]float32)   {}

func (d *dropoutLayer) forward(x, y *tensor, ctx *passCtx) {
	d.used = ctx.training && d.p > 0
	if !d.used {
		copy(y.data, x.data)
		return
	}
	if cap(d.mask) < len(x.data) {
		d.mask = make([]float32, len(x.data))
	}
	d.mask = d.mask[:len(x.data)]
	keep := float32(1 / (1 - d.p))
	for i, v := range x.data {
		m := keep
		if ctx.uniform() < d.p {
			m = 0
		}
		d.mask[i] = m
		y.data[i] = v * m
	}
}

func (d *dropoutLayer) backward(x, y, dy, dx *tensor, _ *passCtx) {
	if dx == nil {
		return
	}
	if !d.used {
		copy(dx.data, dy.data)
		return
	}
	for i, g := range dy.data {
		dx.data[i] = g * d.mask[i]
	}
}

// ---- flatten ----

// flattenLayer turns c × h × w maps into vectors in PyTorch's (c, h, w)
// order; the storage is the same, so it copies.
type flattenLayer struct{ in shape }

func (f *flattenLayer) outShape(in shape) shape          { return shape{in.size(), 1, 1} }
func (f *flattenLayer) tensors() []tensorSpec            { return nil }
func (f *flattenLayer) bind(_, _ [][]float32)            {}
func (f *flattenLayer) forward(x, y *tensor, _ *passCtx) { copy(y.data, x.data) }
func (f *flattenLayer) backward(x, y, dy, dx *tensor, _ *passCtx) {
	if dx != nil {
		copy(dx.data, dy.data)
	}
}

// ---- dense ----

// denseRef is a fully connected layer y = W·x + b, W [fout][fin]
// (PyTorch's Linear).
type denseRef struct {
	name      string
	fin, fout int
	w, b      []float32
	dw, db    []float32
}

func (d *denseRef) outShape(shape) shape { return shape{d.fout, 1, 1} }

func (d *denseRef) tensors() []tensorSpec {
	return []tensorSpec{
		{name: d.name + ".weight", shape: []int{d.fout, d.fin}, param: true, fanIn: d.fin},
		{name: d.name + ".bias", shape: []int{d.fout}, param: true, fanIn: d.fin},
	}
}

func (d *denseRef) bind(p, g [][]float32) { d.w, d.b, d.dw, d.db = p[0], p[1], g[0], g[1] }

func (d *denseRef) forward(x, y *tensor, _ *passCtx) {
	for n := 0; n < x.n; n++ {
		xs, ys := x.sample(n), y.sample(n)
		for o := range ys {
			s := d.b[o]
			for i, v := range d.w[o*d.fin : (o+1)*d.fin] {
				s += v * xs[i]
			}
			ys[o] = s
		}
	}
}

func (d *denseRef) backward(x, y, dy, dx *tensor, _ *passCtx) {
	clear(d.dw)
	clear(d.db)
	if dx != nil {
		clear(dx.data)
	}
	for n := 0; n < x.n; n++ {
		xs, gs := x.sample(n), dy.sample(n)
		for o, g := range gs {
			d.db[o] += g
			row := d.dw[o*d.fin : (o+1)*d.fin]
			for i, v := range xs {
				row[i] += g * v
			}
			if dx != nil {
				ds := dx.sample(n)
				for i, w := range d.w[o*d.fin : (o+1)*d.fin] {
					ds[i] += g * w
				}
			}
		}
	}
}

// ---- pooling over time ----

// timePool turns an utterance's c × h × T maps into one vector of c·h
// features (feature f = c·h_ + h, PyTorch's x.flatten(1, 2)): their mean
// over time, and with std also their standard deviation
// √(mean((x − μ)²) + 1e-5) (statistics pooling), giving 2·c·h features
// [means…, deviations…].
type timePool struct {
	in  shape
	std bool
}

const statsEps = 1e-5

func (t *timePool) outShape(shape) shape {
	f := t.in.c * t.in.h
	if t.std {
		f *= 2
	}
	return shape{f, 1, 1}
}
func (t *timePool) tensors() []tensorSpec { return nil }
func (t *timePool) bind(_, _ [][]float32) {}

func (t *timePool) parts(x *tensor) int { return x.n }
func (t *timePool) forward(x, y *tensor, ctx *passCtx) {
	t.forwardPart(x, y, ctx, 0, x.n)
}
func (t *timePool) backward(x, y, dy, dx *tensor, ctx *passCtx) {
	t.backwardPart(x, y, dy, dx, ctx, 0, x.n)
}

// forwardPart and backwardPart run samples lo..hi.
func (t *timePool) forwardPart(x, y *tensor, _ *passCtx, lo, hi int) {
	T := x.s.w
	f := x.s.c * x.s.h
	for n := lo; n < hi; n++ {
		xs, ys := x.sample(n), y.sample(n)
		for i := 0; i < f; i++ {
			row := xs[i*T : (i+1)*T]
			var s float64
			for _, v := range row {
				s += float64(v)
			}
			mu := s / float64(T)
			ys[i] = float32(mu)
			if t.std {
				var ss float64
				for _, v := range row {
					d := float64(v) - mu
					ss += d * d
				}
				ys[f+i] = float32(math.Sqrt(ss/float64(T) + statsEps))
			}
		}
	}
}

// backward: dμ spreads evenly, dx += dμ/T; for σ = √(mean((x−μ)²) + ε),
// dx += dσ·(x − μ)/(T·σ) (the μ term sums to zero).
func (t *timePool) backwardPart(x, y, dy, dx *tensor, _ *passCtx, lo, hi int) {
	if dx == nil {
		return
	}
	T := x.s.w
	f := x.s.c * x.s.h
	for n := lo; n < hi; n++ {
		xs, ys, gs, ds := x.sample(n), y.sample(n), dy.sample(n), dx.sample(n)
		for i := 0; i < f; i++ {
			row, drow := xs[i*T:(i+1)*T], ds[i*T:(i+1)*T]
			gMean := float64(gs[i]) / float64(T)
			if !t.std {
				for j := range drow {
					drow[j] = float32(gMean)
				}
				continue
			}
			mu := float64(ys[i])
			k := float64(gs[f+i]) / (float64(T) * float64(ys[f+i]))
			for j, v := range row {
				drow[j] = float32(gMean + k*(float64(v)-mu))
			}
		}
	}
}

// attentivePool is attentive statistics pooling (Okabe et al. 2018): for
// the frames h_t (c·h features each),
//
//	e_t = vᵀ tanh(W h_t + b) + k,  α = softmax_t(e),
//	μ = Σ α_t h_t,  σ = √(Σ α_t (h_t − μ)² + 1e-5),
//
// and the output is [μ, σ]. W is hidden × F (name.attention.0), v is 1 ×
// hidden with bias k (name.attention.2), as PyTorch's
// Sequential(Linear(F, hidden), Tanh(), Linear(hidden, 1)).
type attentivePool struct {
	name     string
	in       shape
	hidden   int
	w, b     []float32
	v, k     []float32
	dw, db   []float32
	dv, dk   []float32
	u, alpha []float64 // per sample and frame: tanh(W h + b) (hidden each), weights
	dAlpha   []float64
	dHidden  []float64 // backward: the gradient at the hidden layer's input, one frame
}

func newAttentivePool(s LayerSpec, in shape) *attentivePool {
	return &attentivePool{name: s.Name, in: in, hidden: s.Hidden}
}

func (a *attentivePool) outShape(shape) shape { return shape{2 * a.in.c * a.in.h, 1, 1} }

func (a *attentivePool) tensors() []tensorSpec {
	f := a.in.c * a.in.h
	return []tensorSpec{
		{name: a.name + ".attention.0.weight", shape: []int{a.hidden, f}, param: true, fanIn: f},
		{name: a.name + ".attention.0.bias", shape: []int{a.hidden}, param: true, fanIn: f},
		{name: a.name + ".attention.2.weight", shape: []int{1, a.hidden}, param: true, fanIn: a.hidden},
		{name: a.name + ".attention.2.bias", shape: []int{1}, param: true, fanIn: a.hidden},
	}
}

func (a *attentivePool) bind(p, g [][]float32) {
	a.w, a.b, a.v, a.k = p[0], p[1], p[2], p[3]
	a.dw, a.db, a.dv, a.dk = g[0], g[1], g[2], g[3]
}

func grow64(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

func (a *attentivePool) forward(x, y *tensor, _ *passCtx) {
	T, F, H := x.s.w, x.s.c*x.s.h, a.hidden
	a.u = grow64(a.u, x.n*T*H)
	a.alpha = grow64(a.alpha, x.n*T)
	for n := 0; n < x.n; n++ {
		xs, ys := x.sample(n), y.sample(n)
		u, alpha := a.u[n*T*H:(n+1)*T*H], a.alpha[n*T:(n+1)*T]
		m := math.Inf(-1)
		for t := 0; t < T; t++ {
			e := float64(a.k[0])
			for j := 0; j < H; j++ {
				s := float64(a.b[j])
				wr := a.w[j*F : (j+1)*F]
				for f, wv := range wr {
					s += float64(wv) * float64(xs[f*T+t])
				}
				u[t*H+j] = math.Tanh(s)
				e += float64(a.v[j]) * u[t*H+j]
			}
			alpha[t] = e
			m = max(m, e)
		}
		var z float64
		for t := range alpha {
			alpha[t] = math.Exp(alpha[t] - m)
			z += alpha[t]
		}
		for t := range alpha {
			alpha[t] /= z
		}
		for f := 0; f < F; f++ {
			row := xs[f*T : (f+1)*T]
			var mu float64
			for t, v := range row {
				mu += alpha[t] * float64(v)
			}
			var ss float64
			for t, v := range row {
				d := float64(v) - mu
				ss += alpha[t] * d * d
			}
			ys[f], ys[F+f] = float32(mu), float32(math.Sqrt(ss+statsEps))
		}
	}
}

// backward: with g_μ, g_σ the output gradients and d_t = h_t − μ,
//
//	∂L/∂α_t = Σ_f g_μ h_t + g_σ d_t²/(2σ)   (the μ-dependence of σ sums to 0),
//	∂L/∂h_t = α_t (g_μ + g_σ d_t/σ) + (attention path),
//	∂L/∂e_t = α_t (∂L/∂α_t − Σ_s α_s ∂L/∂α_s),
//
// and e_t's gradient flows back through v, tanh and W into h_t.
func (a *attentivePool) backward(x, y, dy, dx *tensor, _ *passCtx) {
	T, F, H := x.s.w, x.s.c*x.s.h, a.hidden
	clear(a.dw)
	clear(a.db)
	clear(a.dv)
	clear(a.dk)
	a.dAlpha = grow64(a.dAlpha, T)
	a.dHidden = grow64(a.dHidden, H)
	ga := a.dHidden
	for n := 0; n < x.n; n++ {
		xs, ys, gs := x.sample(n), y.sample(n), dy.sample(n)
		u, alpha := a.u[n*T*H:(n+1)*T*H], a.alpha[n*T:(n+1)*T]
		var ds []float32
		if dx != nil {
			ds = dx.sample(n)
		}
		dA := a.dAlpha
		clear(dA)
		for f := 0; f < F; f++ {
			row := xs[f*T : (f+1)*T]
			mu, sd := float64(ys[f]), float64(ys[F+f])
			gMean, gStd := float64(gs[f]), float64(gs[F+f])
			for t, v := range row {
				d := float64(v) - mu
				dA[t] += gMean*float64(v) + gStd*d*d/(2*sd)
				if ds != nil {
					ds[f*T+t] = float32(alpha[t] * (gMean + gStd*d/sd))
				}
			}
		}
		var dot float64
		for t := range dA {
			dot += alpha[t] * dA[t]
		}
		for t := 0; t < T; t++ {
			de := alpha[t] * (dA[t] - dot)
			a.dk[0] += float32(de)
			for j := 0; j < H; j++ {
				uj := u[t*H+j]
				a.dv[j] += float32(de * uj)
				ga[j] = de * float64(a.v[j]) * (1 - uj*uj)
				a.db[j] += float32(ga[j])
			}
			for j := 0; j < H; j++ {
				wr, dwr := a.w[j*F:(j+1)*F], a.dw[j*F:(j+1)*F]
				for f := range wr {
					dwr[f] += float32(ga[j] * float64(xs[f*T+t]))
					if ds != nil {
						ds[f*T+t] += float32(ga[j] * float64(wr[f]))
					}
				}
			}
		}
	}
}
