package nn

import "math"

const (
	bnEps      = 1e-5
	bnMomentum = 0.1
)

// conv is one conv 3×3 SAME → batch norm → ReLU unit, optionally followed by
// a max pool (the last unit of a block).
//
// Forward:  y = W ⊛ x (bias folded into the batch-norm pass),
//
//	a = max(0, γ·(y + b − μ)/√(σ² + ε) + β)
//
// with μ, σ² the batch mean and biased variance over all N·H·W positions in
// training, the running averages in inference.
type conv struct {
	cin, cout              int
	cin4, cout4            int
	k                      int // 9·cin
	g                      geom
	w, b, bnWeight, bnBias []float32 // weight [cout][cin][3][3], bias, BN weight, BN bias
	dw, db                 []float32
	dBNWeight, dBNBias     []float32
	runMean                []float32
	runVar                 []float32
	meanY, invstd          []float64 // batch statistics of the last training forward (of y, without bias)

	in, dIn              *act // input and the gradient written for it (dIn nil for the first layer)
	y, a                 act
	da, dy               act
	packedFwd, packedBwd []float32
	offsFwd              []int
	offsBwd              []int
	partial              [][]float32
	fwd, bwd             gemmJob
	wgrad                dwJob

	pool       *maxPool
	mask       *padMask
	scaleShift []float32 // inference batch norm: per tile of 4 channels, 4 scales then 4 shifts
	scratch    []float32 // per channel: results of the element-wise kernels

	// per-call state read by the parallel passes
	n        int
	training bool
	bnFwdFn  func(tid, lo, hi int)
	bnBwdFn  func(tid, lo, hi int)
}

func newConv(ks *kernelSet, g geom, cin, cout int) *conv {
	c := &conv{cin: cin, cout: cout, cin4: roundUp(cin, 4), cout4: roundUp(cout, 4), k: 9 * cin, g: g}
	c.y = newAct(g, c.cout4)
	c.a = newAct(g, c.cout4)
	c.da = newAct(g, c.cout4)
	c.dy = newAct(g, c.cout4)
	c.packedFwd = make([]float32, c.cout4*c.k)
	c.packedBwd = make([]float32, c.cin4*9*cout)
	c.offsFwd = make([]int, roundUp(c.k, 6)+1) // padded for the dot tiles (dummy offsets 0)
	c.offsBwd = make([]int, 9*cout+1)
	c.scaleShift = make([]float32, 2*c.cout4)
	c.scratch = make([]float32, 4*cout)
	c.meanY = make([]float64, cout)
	c.invstd = make([]float64, cout)
	c.fwd.init(ks)
	c.bwd.init(ks)
	c.wgrad.init(ks)
	c.bnFwdFn = func(_, lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			c.bnForward(ch)
		}
	}
	c.bnBwdFn = func(_, lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			c.bnBackward(ch)
		}
	}
	return c
}

// pack prepares the packed weights of the forward and backward-data products.
func (c *conv) pack() {
	packRows(c.packedFwd, c.cout, c.k, c.w, c.k, 1)
	// Backward data: dX[ci][q] = Σ_{c,t'} W[c][ci][8−t'] · dY[c][q + off(t')],
	// so A'[ci][c·9 + t'] = W[c·k + ci·9 + 8 − t'].
	k2 := 9 * c.cout
	mt := c.cin4 / 4
	for t := 0; t < mt; t++ {
		p := c.packedBwd[t*k2*4 : (t+1)*k2*4]
		for r := 0; r < 4; r++ {
			ci := 4*t + r
			for co := 0; co < c.cout; co++ {
				for tp := 0; tp < 9; tp++ {
					v := float32(0)
					if ci < c.cin {
						v = c.w[co*c.k+ci*9+8-tp]
					}
					p[4*(co*9+tp)+r] = v
				}
			}
		}
	}
}

func tapOffsets(dst []int, channels, cs, wp int) {
	for ci := 0; ci < channels; ci++ {
		for t := 0; t < 9; t++ {
			dst[ci*9+t] = ci*cs + (t/3-1)*wp + (t%3 - 1)
		}
	}
}

func (c *conv) ensure(n int, train bool) {
	c.y.ensure(n)
	c.a.ensure(n)
	c.mask.ensure(n)
	if train {
		c.da.ensure(n)
		c.dy.ensure(n)
	}
	if c.pool != nil {
		c.pool.ensure(n, train)
	}
}

func (c *conv) forward(wk *workers, n int, training bool) {
	c.n, c.training = n, training
	ntiles := c.g.qhi(n) / c.fwd.ks.nr
	tapOffsets(c.offsFwd, c.cin, c.in.chanStride, c.g.wp)
	f := &c.fwd
	f.k, f.mtiles, f.ntiles = c.k, c.cout4/4, ntiles
	f.a, f.b, f.offs = c.packedFwd, c.in.ptr(), c.offsFwd
	if training {
		f.c, f.ldc, f.scaleShift, f.mask = c.y.ptr(), c.y.chanStride, nil, nil
		wk.run(f.items(), f.fn)
		if c.pool != nil {
			c.pool.n, c.pool.in, c.pool.training = n, &c.a, true // pooled inside bnForward
		}
		wk.run(c.cout, c.bnFwdFn)
		return
	}
	// Inference: batch norm, ReLU and the pad zeros fused into the
	// product's store (c.scaleShift prepared by the caller: evalScaleShift).
	f.c, f.ldc, f.scaleShift, f.mask = c.a.ptr(), c.a.chanStride, c.scaleShift, &c.mask.valid[0]
	wk.run(f.items(), f.fn)
	if c.pool != nil {
		c.pool.forward(wk, n, &c.a, false)
	}
}

// bnForward normalises channel ch of y into a (with ReLU), updating the
// running statistics (PyTorch semantics: the running variance takes the
// unbiased batch variance, the normalisation the biased one). The valid
// positions of the batch are one contiguous range with pad positions
// interleaved, so the passes run over it with the pad mask instead of row by
// row.
func (c *conv) bnForward(ch int) {
	g := c.g
	y := c.y.ch(ch)
	mk := c.mask.valid
	lo, hi := g.base, g.base+c.n*g.imgStride
	first := y[lo]
	var s, sumSq float64
	e := &c.fwd.ks.elem
	scr := c.scratch[ch*4 : ch*4+4]
	for q0 := lo; q0 < hi; q0 += 512 {
		q1 := min(q0+512, hi)
		rs, rss := e.stats(y[q0:q1], mk[q0:q1], first, scr)
		s += float64(rs)
		sumSq += float64(rss)
	}
	cnt := float64(c.n * g.h * g.w)
	mean := s / cnt
	variance := max(sumSq/cnt-mean*mean, 0)
	mean += float64(first)
	inv := 1 / math.Sqrt(variance+bnEps)
	c.meanY[ch], c.invstd[ch] = mean, inv
	c.runMean[ch] = float32((1-bnMomentum)*float64(c.runMean[ch]) + bnMomentum*(mean+float64(c.b[ch])))
	c.runVar[ch] = float32((1-bnMomentum)*float64(c.runVar[ch]) + bnMomentum*variance*cnt/(cnt-1))
	sc := float64(c.bnWeight[ch]) * inv
	scale, shift := float32(sc), float32(float64(c.bnBias[ch])-mean*sc)
	a := c.a.ch(ch)[:g.span(c.n)]
	clear(a[:lo])
	if c.pool == nil {
		e.apply(a[lo:hi], y[lo:hi], mk[lo:hi], scale, shift)
	} else {
		// Pool each group of images right after normalising it, while it
		// is in cache.
		step := c.poolGroup()
		for i0 := 0; i0 < c.n; i0 += step {
			i1 := min(i0+step, c.n)
			q0, q1 := g.base+i0*g.imgStride, g.base+i1*g.imgStride
			e.apply(a[q0:q1], y[q0:q1], mk[q0:q1], scale, shift)
			c.pool.forwardRange(ch, i0, i1)
		}
	}
	clear(a[hi:])
}

// evalScaleShift fills scaleShift (8 per tile of 4 channels) with the inference-mode
// batch norm as an affine map of the conv output without bias.
func (c *conv) evalScaleShift() {
	for ch := 0; ch < c.cout4; ch++ {
		var scale, shift float32
		if ch < c.cout {
			sc := float64(c.bnWeight[ch]) / math.Sqrt(float64(c.runVar[ch])+bnEps)
			scale = float32(sc)
			shift = float32(float64(c.bnBias[ch]) + (float64(c.b[ch])-float64(c.runMean[ch]))*sc)
		}
		c.scaleShift[ch/4*8+ch%4] = scale
		c.scaleShift[ch/4*8+4+ch%4] = shift
	}
}

// backward takes c.da (dL/da) and produces the parameter gradients and, if
// c.dIn is set, dL/dx.
func (c *conv) backward(wk *workers) {
	n := c.n
	if c.pool != nil {
		c.pool.n, c.pool.dIn = n, &c.da // scattered inside bnBackward
	}
	wk.run(c.cout, c.bnBwdFn)
	// Weight gradient: dW[co][k] = Σ_q dY[co][q] · X[q + off(k)].
	qhi := c.g.qhi(n)
	j := &c.wgrad
	dc := j.ks.dc
	j.coTiles, j.tapTiles = c.cout4/4, (c.k+dc-1)/dc
	j.positions = qhi
	// Chunks of about 512 KB of rows (L2), as many as a multiple of the
	// thread count so that no thread idles.
	j.chunk = max(64, roundUp(131072/(c.cout4+c.cin), 16))
	chunks := roundUp((qhi+j.chunk-1)/j.chunk, wk.n)
	j.chunk = roundUp((qhi+chunks-1)/chunks, 16)
	j.a, j.lda, j.b, j.offs = c.dy.ptr(), c.dy.chanStride, c.in.ptr(), c.offsFwd
	if len(c.partial) != wk.n || len(c.partial[0]) != j.coTiles*j.tapTiles*4*dc {
		c.partial = make([][]float32, wk.n)
		for t := range c.partial {
			c.partial[t] = make([]float32, j.coTiles*j.tapTiles*4*dc)
		}
	}
	for _, p := range c.partial {
		clear(p)
	}
	j.partial = c.partial
	wk.run((qhi+j.chunk-1)/j.chunk, j.fn)
	for co := 0; co < c.cout; co++ {
		for kk := 0; kk < c.k; kk++ {
			idx := ((co/4)*j.tapTiles+kk/dc)*4*dc + (co%4)*dc + kk%dc
			var s float32
			for _, p := range c.partial {
				s += p[idx]
			}
			c.dw[co*c.k+kk] = s
		}
	}
	if c.dIn == nil {
		return
	}
	tapOffsets(c.offsBwd, c.cout, c.dy.chanStride, c.g.wp)
	b := &c.bwd
	b.k, b.mtiles, b.ntiles = 9*c.cout, c.cin4/4, qhi/b.ks.nr
	b.a, b.b, b.offs, b.c, b.ldc = c.packedBwd, c.dy.ptr(), c.offsBwd, c.dIn.ptr(), c.dIn.chanStride
	wk.run(b.items(), b.fn)
}

// bnBackward: with g = dL/da·[a > 0] and x̂ = (y − μ)/σ,
//
//	dγ = Σ g·x̂,  dβ = Σ g,  dL/dy = γ/σ · (g − dβ/M − x̂·dγ/M),
//
// and the conv bias gradient is Σ dL/dy. Pads have a = 0, so g = 0 there.
func (c *conv) bnBackward(ch int) {
	g := c.g
	y, a, da := c.y.ch(ch), c.a.ch(ch), c.da.ch(ch)
	dy := c.dy.ch(ch)[:g.span(c.n)]
	mk := c.mask.valid
	lo, hi := g.base, g.base+c.n*g.imgStride
	mean, inv := c.meanY[ch], c.invstd[ch]
	mf := float32(mean)
	e := &c.fwd.ks.elem
	scr := c.scratch[ch*4 : ch*4+4]
	var sg, sgx float64
	step := c.n
	if c.pool != nil {
		step = c.poolGroup()
	}
	for i0 := 0; i0 < c.n; i0 += step {
		i1 := min(i0+step, c.n)
		if c.pool != nil {
			// Scatter the pooled gradient of these images, then use it
			// while it is in cache.
			c.pool.backwardRange(ch, i0, i1)
		}
		for q0, end := g.base+i0*g.imgStride, g.base+i1*g.imgStride; q0 < end; q0 += 512 {
			q1 := min(q0+512, end)
			rs, rsx := e.grad1(dy[q0:q1], da[q0:q1], a[q0:q1], y[q0:q1], mf, scr)
			sg += float64(rs)
			sgx += float64(rsx)
		}
	}
	sgx *= inv
	cnt := float64(c.n * g.h * g.w)
	c.dBNBias[ch], c.dBNWeight[ch] = float32(sg), float32(sgx)
	k1 := float64(c.bnWeight[ch]) * inv
	// dL/dy = k1·g − k1·dβ/M − k1·dγ/M·σ⁻¹·(y − μ) = α·g + β' + γ'·y
	alpha := float32(k1)
	gam := float32(-k1 * sgx / cnt * inv)
	beta := float32(-k1*sg/cnt) - gam*mf
	clear(dy[:lo])
	var sdx float64
	for q0 := lo; q0 < hi; q0 += 512 {
		q1 := min(q0+512, hi)
		sdx += float64(e.grad2(dy[q0:q1], y[q0:q1], mk[q0:q1], alpha, beta, gam, scr))
	}
	clear(dy[hi:])
	c.db[ch] = float32(sdx)
}

// dwJob accumulates the weight gradient of a convolution over chunks of
// positions; each thread sums its chunks into its own partial tile buffer,
// the partials are added in thread order afterwards (deterministic).
type dwJob struct {
	ks                *kernelSet
	coTiles, tapTiles int
	chunk, positions  int
	a                 *float32
	lda               int
	b                 *float32
	offs              []int
	partial           [][]float32
	fn                func(tid, lo, hi int)
}

func (j *dwJob) init(ks *kernelSet) {
	j.ks = ks
	j.fn = func(tid, lo, hi int) { j.run(tid, lo, hi) }
}

func (j *dwJob) run(tid, lo, hi int) {
	p := j.partial[tid]
	dc := j.ks.dc
	for ci := lo; ci < hi; ci++ {
		q0 := ci * j.chunk
		l := min(j.chunk, j.positions-q0)
		for co := 0; co < j.coTiles; co++ {
			ap := at(j.a, co*4*j.lda+q0)
			for kk := 0; kk < j.tapTiles; kk++ {
				j.ks.dot(l, ap, j.lda, at(j.b, q0), &j.offs[kk*dc], &p[(co*j.tapTiles+kk)*4*dc])
			}
		}
	}
}

// maxPool is a PoolH × PoolW max pool with stride equal to its size (VALID:
// trailing rows/columns that do not fill a window are dropped). Ties go to
// the first maximum in row-major window order, as in PyTorch.
type maxPool struct {
	ph, pw          int
	geomIn, geomOut geom
	c               int
	out             act
	dOut            act
	arg             []int32 // per channel, per output position: input position q
	n               int
	training        bool
	in, dIn         *act
	elem            *elemKernels
	fwdFn           func(tid, lo, hi int)
}

func newMaxPool(ks *kernelSet, gi geom, c, ph, pw int) *maxPool {
	p := &maxPool{ph: ph, pw: pw, geomIn: gi, geomOut: newGeom(gi.h/ph, gi.w/pw), c: c, elem: &ks.elem}
	p.out = newAct(p.geomOut, roundUp(c, 4))
	p.dOut = newAct(p.geomOut, roundUp(c, 4))
	p.fwdFn = func(_, lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			p.forwardChannel(ch)
		}
	}
	return p
}

func (p *maxPool) ensure(n int, train bool) {
	p.out.ensure(n)
	if train {
		p.dOut.ensure(n)
	}
	per := n * p.geomOut.h * p.geomOut.w
	if len(p.arg) < p.c*per {
		p.arg = make([]int32, p.c*per)
	}
}

func (p *maxPool) forward(wk *workers, n int, in *act, training bool) {
	p.n, p.in, p.training = n, in, training
	wk.run(p.c, p.fwdFn)
}

func (p *maxPool) forwardChannel(ch int) { p.forwardRange(ch, 0, p.n) }

// forwardRange pools images i0..i1 of channel ch (and writes the pads
// before the first and after the last image when the range touches them).
func (p *maxPool) forwardRange(ch, i0, i1 int) {
	gi, g := p.geomIn, p.geomOut
	src := p.in.ch(ch)
	dst := p.out.ch(ch)[:g.span(p.n)]
	per := p.n * g.h * g.w
	var arg []int32
	if p.training {
		arg = p.arg[ch*per : (ch+1)*per]
	}
	if i0 == 0 {
		clear(dst[:g.base])
	}
	k := i0 * g.h * g.w
	if arg == nil && p.ph == 2 && (p.pw == 1 && gi.wp >= 8 || p.pw == 2 && (g.w == 2 || g.w >= 4)) {
		// Inference 2×1 and 2×2: one vector kernel call per image over its
		// row pairs, then the pads set to +0 as below.
		for i := i0; i < i1; i++ {
			o := g.base + i*g.imgStride
			if p.pw == 1 {
				p.elem.pool2x1(&dst[o], &src[gi.base+i*gi.imgStride], g.h, g.wp)
			} else {
				p.elem.pool2x2(&dst[o], &src[gi.base+i*gi.imgStride], g.h, g.w, gi.wp, g.wp)
			}
			for oh := 0; oh < g.h; oh++ {
				dst[o+oh*g.wp+g.w] = 0
			}
			o += g.h * g.wp
			clear(dst[o : o+g.wp])
		}
		if i1 == p.n {
			clear(dst[g.base+p.n*g.imgStride:])
		}
		return
	}
	if arg != nil && p.ph == 2 && (p.pw == 1 && g.w >= 8 || p.pw == 2 && (g.w == 2 || g.w >= 4)) {
		// Training 2×1 and 2×2: the same with the argmax.
		for i := i0; i < i1; i++ {
			o, q := g.base+i*g.imgStride, gi.base+i*gi.imgStride
			if p.pw == 1 {
				p.elem.pool2x1Arg(&dst[o], &arg[k], &src[q], g.h, g.w, gi.wp, q)
			} else {
				p.elem.pool2x2Arg(&dst[o], &arg[k], &src[q], g.h, g.w, gi.wp, g.wp, q)
			}
			for oh := 0; oh < g.h; oh++ {
				dst[o+oh*g.wp+g.w] = 0
			}
			o += g.h * g.wp
			clear(dst[o : o+g.wp])
			k += g.h * g.w
		}
		if i1 == p.n {
			clear(dst[g.base+p.n*g.imgStride:])
		}
		return
	}
	for i := i0; i < i1; i++ {
		for oh := 0; oh < g.h; oh++ {
			q0 := gi.base + i*gi.imgStride + oh*p.ph*gi.wp
			o := g.base + i*g.imgStride + oh*g.wp
			out := dst[o : o+g.w]
			dst[o+g.w] = 0
			switch {
			case p.ph == 2 && p.pw == 1:
				// The input is a ReLU output (≥ 0, +0 at pads), so its bit
				// patterns order like the values: branch-free max and argmax
				// (t = −1 where the second value is strictly larger).
				r0, r1 := src[q0:q0+g.w], src[q0+gi.wp:q0+gi.wp+g.w]
				if arg == nil {
					for j := range out {
						b0, b1 := int32(math.Float32bits(r0[j])), int32(math.Float32bits(r1[j]))
						t := (b0 - b1) >> 31
						out[j] = math.Float32frombits(uint32(b0 + (b1-b0)&t))
					}
					continue
				}
				ar := arg[k : k+g.w]
				wp := int32(gi.wp)
				for j := range out {
					b0, b1 := int32(math.Float32bits(r0[j])), int32(math.Float32bits(r1[j]))
					t := (b0 - b1) >> 31
					out[j] = math.Float32frombits(uint32(b0 + (b1-b0)&t))
					ar[j] = int32(q0+j) + wp&t
				}
			case p.ph == 2 && p.pw == 2:
				r0, r1 := src[q0:q0+2*g.w], src[q0+gi.wp:q0+gi.wp+2*g.w]
				ar := arg
				if ar != nil {
					ar = arg[k : k+g.w]
				}
				wp := int32(gi.wp)
				for j := range out {
					v := int32(math.Float32bits(r0[2*j]))
					q := int32(q0 + 2*j)
					c := int32(math.Float32bits(r0[2*j+1]))
					t := (v - c) >> 31
					v += (c - v) & t
					q += 1 & t
					c = int32(math.Float32bits(r1[2*j]))
					t = (v - c) >> 31
					v += (c - v) & t
					q += (int32(q0+2*j) + wp - q) & t
					c = int32(math.Float32bits(r1[2*j+1]))
					t = (v - c) >> 31
					v += (c - v) & t
					q += (int32(q0+2*j+1) + wp - q) & t
					out[j] = math.Float32frombits(uint32(v))
					if ar != nil {
						ar[j] = q
					}
				}
			default:
				for j := range out {
					qw := q0 + j*p.pw
					best, bq := src[qw], qw
					for dh := 0; dh < p.ph; dh++ {
						for dw := 0; dw < p.pw; dw++ {
							q := qw + dh*gi.wp + dw
							if v := src[q]; v > best {
								best, bq = v, q
							}
						}
					}
					out[j] = best
					if arg != nil {
						arg[k+j] = int32(bq)
					}
				}
			}
			k += g.w
		}
		o := g.base + i*g.imgStride + g.h*g.wp
		clear(dst[o : o+g.wp])
	}
	if i1 == p.n {
		clear(dst[g.base+p.n*g.imgStride:])
	}
}

// backwardRange scatters the gradient of images i0..i1 of channel ch into
// dIn, whose positions of those images it first zeroes (the positions of
// other images and the outer pads are left alone).
func (p *maxPool) backwardRange(ch, i0, i1 int) {
	gi, g := p.geomIn, p.geomOut
	dst := p.dIn.ch(ch)[:gi.span(p.n)]
	src := p.dOut.ch(ch)
	per := p.n * g.h * g.w
	arg := p.arg[ch*per : (ch+1)*per]
	clear(dst[gi.base+i0*gi.imgStride : gi.base+i1*gi.imgStride])
	k := i0 * g.h * g.w
	for i := i0; i < i1; i++ {
		for oh := 0; oh < g.h; oh++ {
			o := g.base + i*g.imgStride + oh*g.wp
			for _, v := range src[o : o+g.w] {
				dst[arg[k]] = v
				k++
			}
		}
	}
}

// padMask is 1 at the valid positions of a geometry and 0 at pads, for the
// largest batch seen (positions past a smaller batch are never used as valid).
type padMask struct {
	g     geom
	capN  int
	valid []float32
}

func (p *padMask) ensure(n int) {
	if n <= p.capN {
		return
	}
	p.capN = n
	g := p.g
	p.valid = make([]float32, g.span(n)+maxNR)
	for i := 0; i < n; i++ {
		for h := 0; h < g.h; h++ {
			row := p.valid[g.base+i*g.imgStride+h*g.wp:][:g.w]
			for j := range row {
				row[j] = 1
			}
		}
	}
}

// poolGroup is the number of images normalised and pooled together (about
// 32 KB of one channel).
func (c *conv) poolGroup() int { return max(1, 8192/c.g.imgStride) }
