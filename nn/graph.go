package nn

import (
	"fmt"
	"math"
)

// graph is the generic engine: it runs the plain forward and backward
// passes of each layer (layer.go) in sequence over NCHW tensors. It serves
// every architecture the fused engine does not match (LCNN, utterance
// networks), and, built on purpose for the seed family, it is the reference
// the fused engine is tested against.
type graph struct {
	layers []layer
	specs  []LayerSpec
	first  []int    // layer i computes specs[first[i]]... (fused fast layers); nil: one each
	acts   []tensor // acts[0] is the input, acts[i+1] the output of layer i
	grads  []tensor // gradients of acts (grads[0] unused)
	// Storage: a training pass keeps every activation (own[i]) for the
	// backward pass, which needs only two neighbouring gradients at a
	// time, so grads[i] lives in gradBuf[i%2]; an inference pass needs
	// only a layer's input and output, so acts[i] lives in evalBuf[i%2].
	own     [][]float32
	shapes  []shape // of acts, for the current pass
	gradBuf [2][]float32
	evalBuf [2][]float32
	ctx     passCtx
	logits  []float32 // row-major batch × classes
	dz      []float32
}

func newGraph(layers []layer, specs []LayerSpec, uniform func() float64) *graph {
	g := &graph{layers: layers, specs: specs}
	g.acts = make([]tensor, len(layers)+1)
	g.grads = make([]tensor, len(layers)+1)
	g.ctx.uniform = uniform
	return g
}

// setInput copies x (batch × height × width) into acts[0] and sizes every
// activation; it fails when the width is too short for a layer. The fast
// layers of the pass run on wk.
func (g *graph) setInput(x []float32, batch, height, width int, train bool, wk *workers) error {
	g.ctx.wk = wk
	for len(g.ctx.scratch) < wk.n {
		g.ctx.scratch = append(g.ctx.scratch, nil)
	}
	if g.shapes == nil {
		g.shapes = make([]shape, len(g.layers)+1)
	}
	shapes := g.shapes
	shapes[0] = shape{1, height, width}
	for i, l := range g.layers {
		s := l.outShape(shapes[i])
		if s.c < 1 || s.h < 1 || s.w < 1 {
			si := i
			if g.first != nil {
				si = g.first[i]
			}
			return fmt.Errorf("nn: input of %d frames is too short: layer %d (%s) leaves an empty map", width, si+1, g.specs[si].Type)
		}
		shapes[i+1] = s
	}
	if g.own == nil {
		g.own = make([][]float32, len(g.acts))
	}
	var need [2]int
	for i, s := range shapes {
		need[i%2] = max(need[i%2], batch*s.size())
	}
	for i, s := range shapes {
		k := batch * s.size()
		var data []float32
		if train {
			g.own[i] = growFloats(g.own[i], k)
			data = g.own[i]
			if i > 0 {
				g.gradBuf[i%2] = growFloats(g.gradBuf[i%2], need[i%2])
				g.grads[i] = tensor{n: batch, s: s, data: g.gradBuf[i%2][:k]}
			}
		} else {
			g.evalBuf[i%2] = growFloats(g.evalBuf[i%2], need[i%2])
			data = g.evalBuf[i%2][:k]
		}
		g.acts[i] = tensor{n: batch, s: s, data: data}
	}
	copy(g.acts[0].data, x)
	return nil
}

// growFloats returns s with length n, reallocated only when its capacity
// is too small (the contents are not kept then).
func growFloats(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

func (g *graph) forward(train bool) {
	g.ctx.training = train
	for i, l := range g.layers {
		l.forward(&g.acts[i], &g.acts[i+1], &g.ctx)
	}
}

// output copies the logits into g.logits (row-major batch × classes).
func (g *graph) output() []float32 {
	out := &g.acts[len(g.layers)]
	if cap(g.logits) < len(out.data) {
		g.logits = make([]float32, len(out.data))
	}
	g.logits = g.logits[:len(out.data)]
	copy(g.logits, out.data)
	return g.logits
}

// backward propagates dz (row-major batch × classes, dL/dlogits) through
// every layer; the first layer gets no input gradient.
func (g *graph) backward(dz []float32) {
	last := len(g.layers)
	copy(g.grads[last].data, dz)
	for i := last - 1; i >= 0; i-- {
		var dx *tensor
		if i > 0 {
			dx = &g.grads[i]
		}
		g.layers[i].backward(&g.acts[i], &g.acts[i+1], &g.grads[i+1], dx, &g.ctx)
	}
}

// crossEntropy is the loss of both engines. The logit of sample i and class
// c is z[i·sampleStride + c·classStride]. With k ≥ 2 classes it is the
// softmax cross-entropy −log softmax(z_i)[label_i]; with k = 1 the logit
// is that of class 1 and the loss is the binary cross-entropy of
// sigmoid(z_i) (label 1 or 0). It returns the mean loss over the batch and
// the number of correct decisions (arg max; z > 0 for k = 1) and, when dz
// is not nil, writes dL/dz (of the mean loss) with the same strides.
func crossEntropy(z []float32, k, sampleStride, classStride int, labels []int32, dz []float32) (float64, int) {
	var loss float64
	correct := 0
	inv := 1 / float64(len(labels))
	if k == 1 {
		for i, l := range labels {
			v := float64(z[i*sampleStride])
			// log(1 + e^v) − l·v, computed stably.
			sp := math.Max(v, 0) + math.Log1p(math.Exp(-math.Abs(v)))
			loss += sp - float64(l)*v
			if (v > 0) == (l == 1) {
				correct++
			}
			if dz != nil {
				dz[i*sampleStride] = float32((1/(1+math.Exp(-v)) - float64(l)) * inv)
			}
		}
		return loss * inv, correct
	}
	for i, l := range labels {
		m, best := math.Inf(-1), 0
		for c := 0; c < k; c++ {
			if v := float64(z[i*sampleStride+c*classStride]); v > m {
				m, best = v, c
			}
		}
		if best == int(l) {
			correct++
		}
		var s float64
		for c := 0; c < k; c++ {
			s += math.Exp(float64(z[i*sampleStride+c*classStride]) - m)
		}
		lse := m + math.Log(s)
		loss += lse - float64(z[i*sampleStride+int(l)*classStride])
		if dz != nil {
			for c := 0; c < k; c++ {
				p := math.Exp(float64(z[i*sampleStride+c*classStride]) - lse)
				if c == int(l) {
					p--
				}
				dz[i*sampleStride+c*classStride] = float32(p * inv)
			}
		}
	}
	return loss * inv, correct
}

// CrossEntropy is the training loss of the networks on row-major batch × k
// logits: the mean softmax cross-entropy (k ≥ 2) or the binary
// cross-entropy of the sigmoid (k = 1), and the number of correct
// decisions. Dev evaluation uses it so that its loss is the training loss.
func CrossEntropy(z []float32, k int, labels []int32) (loss float64, correct int) {
	return crossEntropy(z, k, k, 1, labels, nil)
}
