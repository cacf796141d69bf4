package nn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"

	"github.com/deep4deep/deep4deep/safetensors"
)

// Net is a CNN of the Arch family with its training buffers. A Net is not
// safe for concurrent use; it runs its own worker goroutines (SetThreads).
type Net struct {
	arch    Arch
	blocks  Arch   // the block form of arch, for the fused engine
	graph   *graph // the graph engine, when the fused one does not apply
	ks      kernelSet
	threads int
	wk      *workers

	params, grads []float32 // all trainable parameters / their gradients, in tensor order
	stats         []float32 // batch-norm running means and variances
	tensors       []tensorRef

	convs  []*conv
	denses []*dense
	input  act
	flat   mat // flattened features [C·H·W][batch]
	dflat  mat
	last   *maxPool

	rng         *rand.PCG // dropout
	dirty       bool      // weights changed since the last pack
	flattenFn   func(tid, lo, hi int)
	unflattenFn func(tid, lo, hi int)
	batch       int // samples in the current pass

	packItems  []packItem
	packFn     func(tid, lo, hi int)
	replicas   []*Net // inference workers (see replica)
	replicaOf  *Net
	evalX      []float32
	evalOut    []float32
	evalFn     func(tid, lo, hi int)
	evalBatch  int
	lossLogits []float32
}

// tensorRef names a slice of params or stats, in PyTorch naming and layout.
type tensorRef struct {
	name  string
	shape []int
	buf   *[]float32 // &Net.params or &Net.stats
	off   int
	param bool
}

func (t tensorRef) size() int {
	n := 1
	for _, d := range t.shape {
		n *= d
	}
	return n
}

// New builds a network initialised as PyTorch does by default: conv and
// linear weights and biases uniform in ±1/√fan_in (kaiming-uniform with
// a = √5), batch-norm weight 1, bias 0, running mean 0, variance 1. All
// randomness (initialisation, dropout) flows from seed.
//
// A network of the seed family (the expansion of a block shorthand: conv
// 3×3 → batch norm → ReLU blocks with max pools, dense layers, softmax)
// runs on the fused engine; any other on the graph engine of plain layers.
func New(a Arch, seed uint64) (*Net, error) { return newNet(a, seed, engineAuto) }

// engine selects how a Net runs its layers.
type engine int

const (
	// engineAuto: the fused engine when the architecture is of the seed
	// family, else the graph engine with its fast layers.
	engineAuto engine = iota
	// engineGraph: the graph engine with its fast layers (fast.go).
	engineGraph
	// enginePlain: the graph engine with the plain layers of layer.go,
	// the specification the others are tested against.
	enginePlain
)

// newNet is New with the engine chosen (tests compare them).
func newNet(a Arch, seed uint64, eng engine) (*Net, error) {
	layers, specs, err := a.build()
	if err != nil {
		return nil, err
	}
	n := &Net{arch: a, ks: bestKernels(), dirty: true}
	// Register tensors in PyTorch state_dict order.
	var np, ns int
	for _, s := range specs {
		t := tensorRef{name: s.name, shape: s.shape, param: s.param}
		if s.param {
			t.buf, t.off = &n.params, np
			np += t.size()
		} else {
			t.buf, t.off = &n.stats, ns
			ns += t.size()
		}
		n.tensors = append(n.tensors, t)
	}
	n.params = make([]float32, np)
	n.grads = make([]float32, np)
	n.stats = make([]float32, ns)
	n.rng = rand.NewPCG(seed, 0x64726f706f7574)

	if bf, ok := a.blockForm(); ok && eng == engineAuto {
		n.blocks = bf
		n.build()
	} else {
		ti := 0
		for _, l := range layers {
			k := len(l.tensors())
			p, g := make([][]float32, k), make([][]float32, k)
			for j := range k {
				t := n.tensors[ti+j]
				p[j] = (*t.buf)[t.off : t.off+t.size()]
				if t.param {
					g[j] = n.grads[t.off : t.off+t.size()]
				}
			}
			// Parameters first, then buffers, as each layer lists them.
			l.bind(p, g)
			ti += k
		}
		var first []int
		if eng != enginePlain {
			layers, first = fastLayers(layers, &n.ks)
		}
		n.graph = newGraph(layers, a.LayerList(), func() float64 { return float64(n.rng.Uint64()>>11) / (1 << 53) })
		n.graph.first = first
	}

	// PyTorch default initialisation, tensor by tensor in state_dict order.
	rng := rand.New(rand.NewPCG(seed, 0x6e6e2d696e6974))
	for i, s := range specs {
		t := n.tensors[i]
		v := (*t.buf)[t.off : t.off+t.size()]
		switch s.init {
		case initUniform:
			uniform(rng, v, 1/math.Sqrt(float64(s.fanIn)))
		case initOnes:
			for j := range v {
				v[j] = 1
			}
		}
	}
	n.SetThreads(runtime.GOMAXPROCS(0))
	return n, nil
}

func hasSuffix(s, suf string) bool { return len(s) >= len(suf) && s[len(s)-len(suf):] == suf }

func uniform(rng *rand.Rand, v []float32, bound float64) {
	for i := range v {
		v[i] = float32((2*rng.Float64() - 1) * bound)
	}
}

// Arch returns the architecture.
func (n *Net) Arch() Arch { return n.arch }

// NumParams is the number of trainable parameters.
func (n *Net) NumParams() int { return len(n.params) }

// SetThreads sets the number of goroutines used by every layer (k < 1 means
// GOMAXPROCS). Results are deterministic for a given seed and thread count.
func (n *Net) SetThreads(k int) {
	if k < 1 {
		k = runtime.GOMAXPROCS(0)
	}
	if n.wk != nil && n.wk.n == k {
		return
	}
	if n.wk != nil {
		n.wk.close()
	}
	n.threads = k
	n.wk = newWorkers(k)
	// The worker goroutines do not reference the Net, so a Net dropped
	// without Close is still collected; this stops its goroutines then.
	runtime.AddCleanup(n, func(w *workers) { w.close() }, n.wk)
}

// Close stops the worker goroutines now (they are also stopped when the
// Net is garbage-collected); the Net must not be used afterwards.
func (n *Net) Close() {
	for _, r := range n.replicas {
		r.Close()
	}
	n.replicas = nil
	if n.wk != nil {
		n.wk.close()
		n.wk = nil
	}
}

// pack repacks the weights for the kernels after they changed, in parallel:
// the conv layers are one item each, the dense matrices are split into
// parts of about 32k values by row tiles.
func (n *Net) pack() {
	if !n.dirty {
		return
	}
	if n.packItems == nil {
		for i := range n.convs {
			n.packItems = append(n.packItems, packItem{layer: i, conv: true})
		}
		for i, d := range n.denses {
			for bwd := 0; bwd < 2; bwd++ {
				tiles := d.fout4 / 4
				if bwd == 1 {
					tiles = d.fin4 / 4
				}
				parts := max(1, min(tiles, d.fin*d.fout/32768))
				for p := 0; p < parts; p++ {
					n.packItems = append(n.packItems, packItem{layer: i, bwd: bwd == 1, t0: tiles * p / parts, t1: tiles * (p + 1) / parts})
				}
			}
		}
		n.packFn = func(_, lo, hi int) {
			for _, it := range n.packItems[lo:hi] {
				if it.conv {
					n.convs[it.layer].pack()
					continue
				}
				d := n.denses[it.layer]
				if it.bwd {
					packRowsRange(d.packedBwd, d.fin, d.fout, d.w, 1, d.fin, it.t0, it.t1)
				} else {
					packRowsRange(d.packedFwd, d.fout, d.fin, d.w, d.fin, 1, it.t0, it.t1)
				}
			}
		}
	}
	n.wk.run(len(n.packItems), n.packFn)
	n.dirty = false
}

type packItem struct {
	layer  int
	conv   bool
	bwd    bool
	t0, t1 int
}

func (n *Net) ensure(batch int, train bool) {
	n.input.ensure(batch)
	for _, c := range n.convs {
		c.ensure(batch, train)
	}
	n.flat.ensure(batch)
	if train {
		n.dflat.ensure(batch)
	}
	for _, d := range n.denses {
		d.ensure(batch, train)
	}
}

// InputSize is the number of values per sample (InputHeight·InputWidth) of
// a frames network; an utterance network takes InputHeight·T values for T
// frames.
func (n *Net) InputSize() int { return n.arch.InputHeight * n.arch.InputWidth }

// inputWidth checks x against the batch size and returns the number of
// frames per sample.
func (n *Net) inputWidth(x []float32, batch int) (int, error) {
	if batch < 1 {
		return 0, fmt.Errorf("nn: batch size %d", batch)
	}
	h := n.arch.InputHeight
	if n.arch.Utterance() {
		if len(x) == 0 || len(x)%(batch*h) != 0 {
			return 0, fmt.Errorf("nn: input has %d values, not a multiple of batch %d × %d dimensions", len(x), batch, h)
		}
		w := len(x) / (batch * h)
		if m := n.arch.MinWidth(); w < m {
			return 0, fmt.Errorf("nn: input of %d frames is shorter than the network's minimum %d", w, m)
		}
		return w, nil
	}
	if len(x) != batch*n.InputSize() {
		return 0, fmt.Errorf("nn: input has %d values, want %d (batch %d × %d × %d)", len(x), batch*n.InputSize(), batch, h, n.arch.InputWidth)
	}
	return n.arch.InputWidth, nil
}

func (n *Net) checkInput(x []float32, batch int) error {
	_, err := n.inputWidth(x, batch)
	return err
}

func (n *Net) checkLabels(labels []int32) error {
	for i, l := range labels {
		if l < 0 || int(l) >= max(2, n.arch.Classes) {
			return fmt.Errorf("nn: label %d of sample %d outside [0, %d)", l, i, max(2, n.arch.Classes))
		}
	}
	return nil
}

// forward runs the network on x (batch × H × W, row-major) up to the logits
// (n.denses[last].z, rows = classes, columns = samples).
func (n *Net) forward(x []float32, batch int, training bool) {
	n.batch = batch
	g := n.input.g
	dst := n.input.ch(0)[:g.span(batch)]
	clear(dst)
	hw := g.h * g.w
	for i := 0; i < batch; i++ {
		for h := 0; h < g.h; h++ {
			copy(dst[g.base+i*g.imgStride+h*g.wp:][:g.w], x[i*hw+h*g.w:][:g.w])
		}
	}
	for _, c := range n.convs {
		c.forward(n.wk, batch, training)
	}
	n.wk.run(n.flat.rows, n.flattenFn)
	if training {
		n.dropoutMasks(batch)
	}
	for _, d := range n.denses {
		d.forward(n.wk, batch, training)
	}
}

// flatten copies the last pooled maps into the feature matrix in PyTorch's
// (channel, height, width) order.
func (n *Net) flatten(lo, hi int) {
	g := n.last.geomOut
	hw := g.h * g.w
	for f := lo; f < hi; f++ {
		row := n.flat.row(f)
		if f >= n.last.c*hw {
			clear(row)
			continue
		}
		c, p := f/hw, f%hw
		src := n.last.out.ch(c)
		o := g.base + (p/g.w)*g.wp + p%g.w
		for i := 0; i < n.batch; i++ {
			row[i] = src[o+i*g.imgStride]
		}
		clear(row[n.batch:])
	}
}

func (n *Net) unflatten(lo, hi int) {
	g := n.last.geomOut
	hw := g.h * g.w
	for c := lo; c < hi; c++ {
		dst := n.last.dOut.ch(c)
		for p := 0; p < hw; p++ {
			row := n.dflat.row(c*hw + p)
			o := g.base + (p/g.w)*g.wp + p%g.w
			for i := 0; i < n.batch; i++ {
				dst[o+i*g.imgStride] = row[i]
			}
		}
	}
}

// dropoutMasks draws the dropout masks of this step, sequentially from the
// dropout generator so that they do not depend on the thread count.
func (n *Net) dropoutMasks(batch int) {
	for _, d := range n.denses {
		if !d.hidden || d.drop == 0 {
			continue
		}
		thr := uint32(math.Min(d.drop*(1<<32), math.MaxUint32))
		keep := float32(1 / (1 - d.drop))
		for r := 0; r < d.fout; r++ {
			m := d.mask.row(r)[:batch]
			for j := 0; j < batch; j += 2 {
				u := n.rng.Uint64()
				m[j] = keep
				if uint32(u) < thr {
					m[j] = 0
				}
				if j+1 < batch {
					m[j+1] = keep
					if uint32(u>>32) < thr {
						m[j+1] = 0
					}
				}
			}
		}
	}
}

// lossGrad computes the mean softmax cross-entropy of the logits and, if
// grad, writes dL/dz into the output layer's dz.
func (n *Net) lossGrad(labels []int32, grad bool) (float64, int) {
	out := n.denses[len(n.denses)-1]
	k := n.arch.Classes
	batch := len(labels)
	var dz []float32
	if grad {
		dz = out.dz.data
	}
	loss, correct := crossEntropy(out.z.data, k, 1, out.z.ld, labels, dz)
	if grad {
		for c := 0; c < out.fout4; c++ {
			row := out.dz.row(c)
			if c >= k {
				clear(row)
			} else {
				clear(row[batch:])
			}
		}
	}
	return loss, correct
}

// TrainStep runs one training step on a batch: forward in training mode
// (batch-norm batch statistics, dropout), softmax cross-entropy averaged over
// the batch, backward, and an Adam update. x holds len(labels) samples of
// InputHeight × InputWidth values, row-major (PyTorch's N×1×H×W); labels are
// class indices (0 = spoof, 1 = genuine for the default task). It returns the
// batch's mean loss and the number of correctly classified samples, computed
// before the update.
func (n *Net) TrainStep(x []float32, labels []int32, opt *Adam) (loss float64, correct int, err error) {
	batch := len(labels)
	if err := n.checkInput(x, batch); err != nil {
		return 0, 0, err
	}
	if err := n.checkLabels(labels); err != nil {
		return 0, 0, err
	}
	if opt == nil || opt.net != n {
		return 0, 0, errors.New("nn: TrainStep needs an Adam made by NewAdam for this network")
	}
	if n.graph != nil {
		return n.graphTrainStep(x, labels, opt)
	}
	if n.arch.InputHeight*n.arch.InputWidth*batch < 2 {
		return 0, 0, errors.New("nn: batch norm needs more than one value per channel in training")
	}
	n.ensure(batch, true)
	n.pack()
	n.forward(x, batch, true)
	loss, correct = n.lossGrad(labels, true)
	n.backward()
	opt.step()
	n.dirty = true
	return loss, correct, nil
}

func (n *Net) backward() {
	for i := len(n.denses) - 1; i >= 0; i-- {
		n.denses[i].backward(n.wk)
	}
	n.wk.run(n.last.c, n.unflattenFn)
	for i := len(n.convs) - 1; i >= 0; i-- {
		n.convs[i].backward(n.wk)
	}
}

// Logits runs the network in inference mode (batch-norm running statistics,
// no dropout) on batch samples and writes the logits to out, row-major
// batch × Classes. Each worker thread runs its own copy of the layer stack
// on micro-batches of the input; the result does not depend on the batch
// size or the thread count (every sample's arithmetic is the same).
func (n *Net) Logits(x []float32, batch int, out []float32) error {
	if err := n.checkInput(x, batch); err != nil {
		return err
	}
	if len(out) != batch*n.arch.Classes {
		return fmt.Errorf("nn: logits buffer has %d values, want %d", len(out), batch*n.arch.Classes)
	}
	if n.graph != nil {
		w, _ := n.inputWidth(x, batch)
		if err := n.graph.setInput(x, batch, n.arch.InputHeight, w, false, n.wk); err != nil {
			return err
		}
		n.graph.forward(false)
		copy(out, n.graph.output())
		return nil
	}
	n.evalLogits(x, batch, out)
	return nil
}

func (n *Net) evalLogits(x []float32, batch int, out []float32) {
	n.pack()
	for _, c := range n.convs {
		c.evalScaleShift()
	}
	nb := (batch + microBatch - 1) / microBatch
	for len(n.replicas) < min(n.threads, nb) {
		n.replicas = append(n.replicas, n.replica())
	}
	if n.evalFn == nil {
		n.evalFn = func(tid, lo, hi int) { n.evalRange(tid, lo, hi) }
	}
	n.evalX, n.evalOut, n.evalBatch = x, out, batch
	n.wk.run(nb, n.evalFn)
	n.evalX, n.evalOut = nil, nil
}

// evalRange runs micro-batches lo..hi on replica tid.
func (n *Net) evalRange(tid, lo, hi int) {
	r := n.replicas[tid]
	hw, k := n.InputSize(), n.arch.Classes
	for mb := lo; mb < hi; mb++ {
		i0 := mb * microBatch
		m := min(microBatch, n.evalBatch-i0)
		r.ensure(m, false)
		r.forward(n.evalX[i0*hw:(i0+m)*hw], m, false)
		z := &r.denses[len(r.denses)-1].z
		for c := 0; c < k; c++ {
			row := z.row(c)[:m]
			for i, v := range row {
				n.evalOut[(i0+i)*k+c] = v
			}
		}
	}
}

// Loss evaluates the mean cross-entropy and the number of correct
// predictions in inference mode, without changing the network.
func (n *Net) Loss(x []float32, labels []int32) (loss float64, correct int, err error) {
	batch := len(labels)
	if err := n.checkInput(x, batch); err != nil {
		return 0, 0, err
	}
	if err := n.checkLabels(labels); err != nil {
		return 0, 0, err
	}
	k := n.arch.Classes
	if n.graph != nil {
		w, _ := n.inputWidth(x, batch)
		if err := n.graph.setInput(x, batch, n.arch.InputHeight, w, false, n.wk); err != nil {
			return 0, 0, err
		}
		n.graph.forward(false)
		loss, correct = crossEntropy(n.graph.output(), k, k, 1, labels, nil)
		return loss, correct, nil
	}
	if len(n.lossLogits) < batch*k {
		n.lossLogits = make([]float32, batch*k)
	}
	z := n.lossLogits[:batch*k]
	n.evalLogits(x, batch, z)
	loss, correct = crossEntropy(z, k, k, 1, labels, nil)
	return loss, correct, nil
}

// Tensors returns copies of the weights and batch-norm running statistics
// under PyTorch's state_dict names and layouts (DESIGN §4.3).
func (n *Net) Tensors() map[string]safetensors.Tensor {
	m := make(map[string]safetensors.Tensor, len(n.tensors))
	for _, t := range n.tensors {
		v := (*t.buf)[t.off : t.off+t.size()]
		m[t.name] = safetensors.Tensor{DType: safetensors.F32, Shape: append([]int(nil), t.shape...), F32: append([]float32(nil), v...)}
	}
	return m
}

// SetTensors loads weights and running statistics. It is strict: the set of
// names and every shape must match the architecture (F32 or F64 accepted);
// num_batches_tracked entries from PyTorch are ignored. On error the network
// is unchanged.
func (n *Net) SetTensors(ts map[string]safetensors.Tensor) error {
	known := make(map[string]bool, len(n.tensors))
	for _, t := range n.tensors {
		known[t.name] = true
		v, ok := ts[t.name]
		if !ok {
			return fmt.Errorf("nn: tensor %s missing", t.name)
		}
		if !equalShape(v.Shape, t.shape) {
			return fmt.Errorf("nn: tensor %s has shape %v, want %v", t.name, v.Shape, t.shape)
		}
		switch {
		case v.DType == safetensors.F32 && len(v.F32) == t.size():
		case v.DType == safetensors.F64 && len(v.F64) == t.size():
		default:
			return fmt.Errorf("nn: tensor %s: dtype %s with %d/%d values, want F32 or F64 with %d", t.name, v.DType, len(v.F32), len(v.F64), t.size())
		}
	}
	for name := range ts {
		if !known[name] && !hasSuffix(name, "num_batches_tracked") {
			return fmt.Errorf("nn: unexpected tensor %s for this architecture", name)
		}
	}
	for _, t := range n.tensors {
		v := ts[t.name]
		dst := (*t.buf)[t.off : t.off+t.size()]
		if v.DType == safetensors.F32 {
			copy(dst, v.F32)
		} else {
			for i, f := range v.F64 {
				dst[i] = float32(f)
			}
		}
	}
	n.dirty = true
	return nil
}

func equalShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// RNGState returns the state of the dropout generator, so that a resumed
// training run continues bit-exactly.
func (n *Net) RNGState() []byte {
	b, _ := n.rng.MarshalBinary() // PCG marshalling cannot fail
	return b
}

// SetRNGState restores a state returned by RNGState.
func (n *Net) SetRNGState(b []byte) error {
	var p rand.PCG
	if err := p.UnmarshalBinary(b); err != nil {
		return fmt.Errorf("nn: dropout generator state: %w", err)
	}
	*n.rng = p
	return nil
}

// build makes the layer stack over n.params, n.grads and n.stats.
func (n *Net) build() {
	// Build the layers over slices of params / grads / stats.
	ti := 0
	next := func() (p, g []float32) {
		t := n.tensors[ti]
		ti++
		return (*t.buf)[t.off : t.off+t.size()], n.grads[t.off : t.off+t.size()]
	}
	nextStat := func() []float32 {
		t := n.tensors[ti]
		ti++
		return (*t.buf)[t.off : t.off+t.size()]
	}
	a := n.blocks
	g := newGeom(a.InputHeight, a.InputWidth)
	n.input = newAct(g, 1)
	in, dIn := &n.input, (*act)(nil)
	cin := 1
	for _, b := range a.Blocks {
		mask := &padMask{g: g}
		for j, ch := range b.Channels {
			c := newConv(&n.ks, g, cin, ch)
			c.mask = mask
			c.w, c.dw = next()
			c.b, c.db = next()
			c.bnWeight, c.dBNWeight = next()
			c.bnBias, c.dBNBias = next()
			c.runMean = nextStat()
			c.runVar = nextStat()
			c.in, c.dIn = in, dIn
			if j == len(b.Channels)-1 {
				c.pool = newMaxPool(&n.ks, g, ch, b.PoolH, b.PoolW)
				in, dIn = &c.pool.out, &c.pool.dOut
				g = c.pool.geomOut
				n.last = c.pool
			} else {
				in, dIn = &c.a, &c.da
			}
			n.convs = append(n.convs, c)
			cin = ch
		}
	}
	fin := cin * g.h * g.w
	n.flat.rows, n.dflat.rows = roundUp(fin, 4), roundUp(fin, 4)
	x, dx := &n.flat, &n.dflat
	for i := 0; i <= len(a.Dense); i++ {
		fout, drop, hidden := a.Classes, 0.0, false
		if i < len(a.Dense) {
			fout, drop, hidden = a.Dense[i].Units, a.Dense[i].Dropout, true
		}
		d := newDense(&n.ks, fin, fout, drop, hidden)
		d.w, d.dw = next()
		d.b, d.db = next()
		d.in, d.dIn = x, dx
		x, dx = &d.a, &d.da
		n.denses = append(n.denses, d)
		fin = fout
	}
	n.flattenFn = func(_, lo, hi int) { n.flatten(lo, hi) }
	n.unflattenFn = func(_, lo, hi int) { n.unflatten(lo, hi) }

}

// microBatch is the number of samples an inference worker processes at a
// time: small enough that a layer's input and output stay in the core's
// cache, a multiple of maxNR so that the dense layers waste no columns.
const microBatch = 48

// replica returns a copy of the layer stack that shares n's weights, packed
// weights and inference batch-norm constants but has its own buffers and
// runs single-threaded: inference workers each run one on their own
// micro-batches, with no synchronisation between layers.
func (n *Net) replica() *Net {
	r := &Net{arch: n.arch, blocks: n.blocks, ks: n.ks, params: n.params, grads: n.grads, stats: n.stats, tensors: n.tensors, rng: n.rng}
	r.build()
	for i, c := range r.convs {
		c.packedFwd, c.packedBwd, c.scaleShift = n.convs[i].packedFwd, n.convs[i].packedBwd, n.convs[i].scaleShift
	}
	for i, d := range r.denses {
		d.packedFwd, d.packedBwd = n.denses[i].packedFwd, n.denses[i].packedBwd
	}
	r.wk = newWorkers(1)
	r.threads = 1
	r.replicaOf = n
	return r
}

// graphTrainStep is TrainStep on the graph engine.
func (n *Net) graphTrainStep(x []float32, labels []int32, opt *Adam) (float64, int, error) {
	batch := len(labels)
	w, _ := n.inputWidth(x, batch)
	g := n.graph
	if err := g.setInput(x, batch, n.arch.InputHeight, w, true, n.wk); err != nil {
		return 0, 0, err
	}
	g.forward(true)
	k := n.arch.Classes
	z := g.output()
	if cap(g.dz) < len(z) {
		g.dz = make([]float32, len(z))
	}
	g.dz = g.dz[:len(z)]
	loss, correct := crossEntropy(z, k, k, 1, labels, g.dz)
	g.backward(g.dz)
	opt.step()
	return loss, correct, nil
}
