package nn

import "math"

// This file is the graph engine's fast path: layers with the same
// semantics as the plain ones of layer.go, computed with the GEMM kernels
// (kernels.go) and in parallel on the engine's workers. fastLayers chooses
// them where they apply; the plain layers stay the specification they are
// tested against (fast_test.go) on every kernel set.

// fastLayers returns layers with every layer that has a fast form
// replaced by it: SAME convolutions by convFast (which also takes over a
// max-feature-map right after it, as LCNN has everywhere), the layers
// whose passes split into independent samples or channels (MFM, batch
// norm, ReLU, pooling, time pooling) by parallelLayer. The others (dense,
// dropout, attentive pooling, flatten) are small or sequential by nature
// and stay as they are. first[i] is the index in ls of the first layer
// that out[i] computes.
func fastLayers(ls []layer, ks *kernelSet) (out []layer, first []int) {
	for i := 0; i < len(ls); i++ {
		first = append(first, i)
		switch l := ls[i].(type) {
		case *convRef:
			if 2*l.pad == l.k-1 {
				f := newConvFast(l, ks)
				if i+1 < len(ls) {
					if _, ok := ls[i+1].(*mfmLayer); ok {
						f.mfm = true
						i++
					}
				}
				out = append(out, f)
				continue
			}
		case *poolLayer:
			if l.max && l.ph == 2 && l.pw == 2 {
				out = append(out, newParallelLayer(&maxPool2x2{l}))
				continue
			}
			out = append(out, newParallelLayer(l))
			continue
		case *batchNorm:
			out = append(out, newParallelLayer(&batchNormFast{l}))
			continue
		case splitLayer:
			out = append(out, newParallelLayer(l))
			continue
		}
		out = append(out, ls[i])
	}
	return out, first
}

// parallelLayer runs a splitLayer's parts on the workers: the items are
// split into equal contiguous ranges, one per thread, and each item's
// arithmetic is the plain layer's.
type parallelLayer struct {
	splitLayer
	x, y, dy, dx *tensor
	ctx          *passCtx
	fwdFn, bwdFn func(tid, lo, hi int)
}

func newParallelLayer(l splitLayer) *parallelLayer {
	p := &parallelLayer{splitLayer: l}
	p.fwdFn = func(_, lo, hi int) { p.splitLayer.forwardPart(p.x, p.y, p.ctx, lo, hi) }
	p.bwdFn = func(_, lo, hi int) { p.splitLayer.backwardPart(p.x, p.y, p.dy, p.dx, p.ctx, lo, hi) }
	return p
}

func (p *parallelLayer) forward(x, y *tensor, ctx *passCtx) {
	k := p.parts(x)
	p.x, p.y, p.ctx = x, y, ctx
	ctx.wk.run(k, p.fwdFn)
	p.x, p.y, p.ctx = nil, nil, nil
}

func (p *parallelLayer) backward(x, y, dy, dx *tensor, ctx *passCtx) {
	k := p.parts(x)
	p.x, p.y, p.dy, p.dx, p.ctx = x, y, dy, dx, ctx
	ctx.wk.run(k, p.bwdFn)
	p.x, p.y, p.dy, p.dx, p.ctx = nil, nil, nil, nil, nil
}

// maxPool2x2 is poolLayer's 2×2 max pool with a branch-free forward pass
// (the comparisons select on the bits); the backward pass is poolLayer's.
type maxPool2x2 struct{ *poolLayer }

func (p *maxPool2x2) forwardPart(x, y *tensor, _ *passCtx, lo, hi int) {
	iw, oh, ow := x.s.w, y.s.h, y.s.w
	per := y.s.size()
	for i := lo; i < hi; i++ {
		n, c := i/x.s.c, i%x.s.c
		xs, ys := x.sample(n), y.sample(n)
		arg := p.arg[n*per : (n+1)*per]
		for h := 0; h < oh; h++ {
			q0 := c*x.s.h*iw + 2*h*iw
			r0, r1 := xs[q0:q0+2*ow], xs[q0+iw:q0+iw+2*ow]
			o := (c*oh + h) * ow
			out, ar := ys[o:o+ow], arg[o:o+ow]
			for j := range out {
				// The first maximum in row-major window order.
				best, q := r0[2*j], int32(q0+2*j)
				best, q = selectGreater(best, q, r0[2*j+1], int32(q0+2*j+1))
				best, q = selectGreater(best, q, r1[2*j], int32(q0+iw+2*j))
				best, q = selectGreater(best, q, r1[2*j+1], int32(q0+iw+2*j+1))
				out[j], ar[j] = best, q
			}
		}
	}
}

// backwardPart writes each window's gradient to its argmax and zeros to
// the window's other three values and to the rows and columns no window
// covers: every input position once, with no clearing pass.
func (p *maxPool2x2) backwardPart(x, y, dy, dx *tensor, _ *passCtx, lo, hi int) {
	if dx == nil {
		return
	}
	ih, iw, oh, ow := x.s.h, x.s.w, y.s.h, y.s.w
	per := y.s.size()
	for i := lo; i < hi; i++ {
		n, c := i/x.s.c, i%x.s.c
		gs, ds := dy.sample(n), dx.sample(n)
		arg := p.arg[n*per : (n+1)*per]
		base := c * ih * iw
		for h := 0; h < oh; h++ {
			q0 := base + 2*h*iw
			r0, r1 := ds[q0:q0+iw], ds[q0+iw:q0+2*iw]
			o := (c*oh + h) * ow
			for j, g := range gs[o : o+ow] {
				// The argmax is window position 0, 1, iw or iw+1: g goes
				// there, 0 to the others (selected on the bits).
				q := arg[o+j] - int32(q0+2*j)
				v := math.Float32bits(g)
				r0[2*j] = math.Float32frombits(v & eqMask(q, 0))
				r0[2*j+1] = math.Float32frombits(v & eqMask(q, 1))
				r1[2*j] = math.Float32frombits(v & eqMask(q, int32(iw)))
				r1[2*j+1] = math.Float32frombits(v & eqMask(q, int32(iw)+1))
			}
			clear(r0[2*ow:])
			clear(r1[2*ow:])
		}
		clear(ds[base+2*oh*iw : base+ih*iw])
	}
}

// batchNormFast is batchNorm with its per-channel sums split over four
// accumulators: the plain layer's single chains of dependent float64
// additions bound its speed.
type batchNormFast struct{ *batchNorm }

func (b *batchNormFast) forwardPart(x, y *tensor, ctx *passCtx, lo, hi int) {
	hw := x.s.h * x.s.w
	for c := lo; c < hi; c++ {
		var mean, inv float64
		if ctx.training {
			var s float64
			for n := 0; n < x.n; n++ {
				s += sum4(x.sample(n)[c*hw : (c+1)*hw])
			}
			cnt := float64(x.n * hw)
			mean = s / cnt
			var ss float64
			for n := 0; n < x.n; n++ {
				ss += sumSqDev4(x.sample(n)[c*hw:(c+1)*hw], mean)
			}
			inv = b.batchStats(c, mean, ss/cnt, cnt)
		} else {
			mean, inv = b.runningStats(c)
		}
		b.normalize(x, y, c, mean, inv)
	}
}

func (b *batchNormFast) backwardPart(x, y, dy, dx *tensor, _ *passCtx, lo, hi int) {
	hw := x.s.h * x.s.w
	cnt := float64(x.n * hw)
	for c := lo; c < hi; c++ {
		mean, inv := b.mean[c], b.inv[c]
		var sg, sgx float64
		for n := 0; n < x.n; n++ {
			a, d := gradSums4(dy.sample(n)[c*hw:(c+1)*hw], x.sample(n)[c*hw:(c+1)*hw], mean)
			sg += a
			sgx += d
		}
		sgx *= inv
		if b.affine {
			b.dbeta[c], b.dgamma[c] = float32(sg), float32(sgx)
		}
		if dx == nil {
			continue
		}
		g, _ := b.scaleShift(c)
		k := g * inv
		// dx = k·(dy − Σdy/M − x̂·Σdy·x̂/M) with x̂ = (x − μ)·inv, in
		// float64 per value as the plain layer (a float32 form moves the
		// parity check's Adam-step errors by 10 %).
		kg, kb, kx := k, -k*sg/cnt, -k*sgx/cnt*inv
		for n := 0; n < x.n; n++ {
			xs, gs, ds := x.sample(n)[c*hw:(c+1)*hw], dy.sample(n)[c*hw:(c+1)*hw], dx.sample(n)[c*hw:(c+1)*hw]
			xs, ds = xs[:len(gs)], ds[:len(gs)]
			for i, gv := range gs {
				ds[i] = float32(kg*float64(gv) + kb + kx*(float64(xs[i])-mean))
			}
		}
	}
}

// sum4 is Σ v in float64 over four accumulators (v[i] to accumulator
// i mod 4).
func sum4(v []float32) float64 {
	var a0, a1, a2, a3 float64
	i := 0
	for ; i+4 <= len(v); i += 4 {
		w := v[i : i+4 : i+4]
		a0 += float64(w[0])
		a1 += float64(w[1])
		a2 += float64(w[2])
		a3 += float64(w[3])
	}
	for ; i < len(v); i++ {
		a0 += float64(v[i])
	}
	return (a0 + a1) + (a2 + a3)
}

// sumSqDev4 is Σ (v − mean)² over four accumulators.
func sumSqDev4(v []float32, mean float64) float64 {
	var a0, a1, a2, a3 float64
	i := 0
	for ; i+4 <= len(v); i += 4 {
		w := v[i : i+4 : i+4]
		d0, d1, d2, d3 := float64(w[0])-mean, float64(w[1])-mean, float64(w[2])-mean, float64(w[3])-mean
		a0 += d0 * d0
		a1 += d1 * d1
		a2 += d2 * d2
		a3 += d3 * d3
	}
	for ; i < len(v); i++ {
		d := float64(v[i]) - mean
		a0 += d * d
	}
	return (a0 + a1) + (a2 + a3)
}

// gradSums4 is (Σ g, Σ g·(x − mean)) over four accumulators each.
func gradSums4(g, x []float32, mean float64) (float64, float64) {
	var s0, s1, s2, s3, d0, d1, d2, d3 float64
	x = x[:len(g)]
	i := 0
	for ; i+4 <= len(g); i += 4 {
		gw, xw := g[i:i+4:i+4], x[i:i+4:i+4]
		g0, g1, g2, g3 := float64(gw[0]), float64(gw[1]), float64(gw[2]), float64(gw[3])
		s0 += g0
		s1 += g1
		s2 += g2
		s3 += g3
		d0 += g0 * (float64(xw[0]) - mean)
		d1 += g1 * (float64(xw[1]) - mean)
		d2 += g2 * (float64(xw[2]) - mean)
		d3 += g3 * (float64(xw[3]) - mean)
	}
	for ; i < len(g); i++ {
		s0 += float64(g[i])
		d0 += float64(g[i]) * (float64(x[i]) - mean)
	}
	return (s0 + s1) + (s2 + s3), (d0 + d1) + (d2 + d3)
}

// eqMask is all ones if a == b, else 0, without a branch.
func eqMask(a, b int32) uint32 {
	var m uint32
	if a == b {
		m = ^uint32(0)
	}
	return m
}

// selectGreater returns (v, qv) if v > best, else (best, q), without a
// branch.
func selectGreater(best float32, q int32, v float32, qv int32) (float32, int32) {
	var m int32
	if v > best {
		m = -1
	}
	bb, vb := math.Float32bits(best), math.Float32bits(v)
	return math.Float32frombits(bb ^ (bb^vb)&uint32(m)), q ^ (q^qv)&m
}

// convFast is convRef with SAME padding (k = 2p+1) computed as matrix
// products with the GEMM kernels, one sample at a time.
//
// Each sample's input channels are copied into a zero-padded layout: the
// map is surrounded by p zero rows and columns, rows wp = W + 2p apart,
// channels cs apart. An output position (h, w) is column q = h·wp + w of
// the product, and tap (i, dh, dw) of the filter reads the input at
// q + i·cs + dh·wp + dw, so
//
//	Y[o][q] = Σ_{i,dh,dw} W[o][i][dh][dw] · Xpad[q + off(i, dh, dw)]
//
// is the kernels' GEMM with an offset table (an implicit im2col: nothing
// is copied per tap). Columns with w ≥ W are garbage and are not stored.
// The backward passes use the same layout:
//
//	dW[o][i,dh,dw] = Σ_q dYpad[o][q + p·wp + p] · Xpad[q + off(i, dh, dw)]   (dot kernel)
//	dX[i][q]       = Σ_{o,th,tw} W[o][i][k−1−th][k−1−tw] · dYpad[q + o·cs + th·wp + tw]   (GEMM)
//
// where dYpad is dY in the padded layout (its zero pads make the garbage
// columns contribute nothing to dW).
//
// With mfm set, the layer also computes the max-feature-map that follows
// the convolution (mfmLayer): the product is stored a chunk of columns at
// a time, while in cache, as max(Y[c] + b[c], Y[c+C/2] + b[c+C/2]),
// keeping which half won for the backward pass, which writes the
// convolution's output gradient straight into the padded layout. The
// full-size convolution output is never stored.
//
// Parallelism: with at least as many samples as threads, each worker runs
// whole samples with its own scratch buffers and weight-gradient partials
// (added in thread order afterwards: deterministic for a thread count);
// with fewer (scoring one utterance), one sample at a time with the
// product's column chunks split across the workers (the same arithmetic).
type convFast struct {
	*convRef
	mfm                  bool
	second               []uint8    // mfm, training: per output value, 1 where the second half won
	ks                   *kernelSet // &Net.ks, so that tests can switch kernel sets
	kdim                 int        // K = cin·k², the reduction length of the forward product
	packedFwd, packedBwd []float32  // packed weights: forward (cout × K), backward data (cin × cout·k²)
	offsFwd, offsBwd     []int      // tap offset tables for the current geometry
	geo                  padGeom
	dwPart               [][]float32 // per worker: weight-gradient tiles of the dot kernel
	dbPart               [][]float32 // per worker: bias gradients
	x, y, dy             *tensor     // arguments of the running pass, for fwdFn/bwdFn
	dx                   *tensor
	ctx                  *passCtx
	fwdFn                func(tid, lo, hi int)
	bwdFn                func(tid, lo, hi int)
	chunkFn              func(tid, lo, hi int)
	one                  int       // the sample chunkFn stores
	oneX                 []float32 // its padded input
	coTiles, tapTiles    int       // dot tiles: output-channel tiles of 4, tap tiles of dc
}

func (f *convFast) outShape(in shape) shape {
	s := f.convRef.outShape(in)
	if f.mfm {
		s.c /= 2
	}
	return s
}

// padGeom is the padded layout of one sample's maps (see convFast).
type padGeom struct {
	h, w       int // map size
	wp         int // row stride: w + 2p
	qhi        int // product columns computed: h·wp rounded up to the widest tile
	l          int // dot-kernel length: h·wp rounded up to 16
	chanStride int // channel stride: room for every read of the widest tap
	dc         int // the kernel set's dot tile width the offsets were padded for
}

// dwChunk is the number of positions the dot kernel sums per call (about
// 60 KB of each row set: the rows of one chunk stay in L2 across tiles).
const dwChunk = 2048

func newConvFast(c *convRef, ks *kernelSet) *convFast {
	f := &convFast{convRef: c, ks: ks, kdim: c.cin * c.k * c.k}
	k2 := c.k * c.k
	f.packedFwd = make([]float32, roundUp(c.cout, 4)*f.kdim)
	f.packedBwd = make([]float32, roundUp(c.cin, 4)*c.cout*k2)
	f.offsFwd = make([]int, roundUp(f.kdim, 6)+1)
	f.offsBwd = make([]int, c.cout*k2+1)
	f.fwdFn = func(tid, lo, hi int) {
		for n := lo; n < hi; n++ {
			f.forwardSample(tid, n)
		}
	}
	f.bwdFn = func(tid, lo, hi int) {
		for n := lo; n < hi; n++ {
			f.backwardSample(tid, n)
		}
	}
	f.chunkFn = func(tid, lo, hi int) {
		_, out := f.fwdScratch(f.ctx, tid)
		for ch := lo; ch < hi; ch++ {
			f.productChunk(f.one, f.oneX, out, ch)
		}
	}
	return f
}

// setGeom lays out maps of h × w and fills the offset tables.
func (f *convFast) setGeom(h, w int) {
	dc := f.ks.dc
	if f.geo.h == h && f.geo.w == w && f.geo.dc == dc {
		return
	}
	k, p := f.k, f.pad
	g := padGeom{h: h, w: w, wp: w + 2*p, dc: dc}
	g.qhi = roundUp(h*g.wp, maxNR)
	g.l = roundUp(h*g.wp, 16)
	g.chanStride = roundUp(g.qhi+(k-1)*(g.wp+1)+16, 16)
	f.geo = g
	k2 := k * k
	clear(f.offsFwd)
	for i := 0; i < f.cin; i++ {
		for t := 0; t < k2; t++ {
			f.offsFwd[i*k2+t] = i*g.chanStride + (t/k)*g.wp + t%k
		}
	}
	for o := 0; o < f.cout; o++ {
		for t := 0; t < k2; t++ {
			f.offsBwd[o*k2+t] = o*g.chanStride + (t/k)*g.wp + t%k
		}
	}
	f.coTiles, f.tapTiles = roundUp(f.cout, 4)/4, (f.kdim+dc-1)/dc
}

// padMaps writes the maps of src (channels × h × w) into dst in the padded
// layout, every value outside the maps zero (dst holds channels·cs values).
func (f *convFast) padMaps(dst, src []float32, channels int) {
	g, p := f.geo, f.pad
	for c := 0; c < channels; c++ {
		d := dst[c*g.chanStride : (c+1)*g.chanStride]
		s := src[c*g.h*g.w : (c+1)*g.h*g.w]
		o := p*g.wp + p
		clear(d[:o])
		for h := 0; h < g.h; h++ {
			copy(d[o:o+g.w], s[h*g.w:(h+1)*g.w])
			clear(d[o+g.w : o+g.wp])
			o += g.wp
		}
		clear(d[o:])
	}
}

// padMFMGrad writes the convolution's output gradient into dst in the
// padded layout, from the max-feature-map's output gradient dy: each value
// goes to the half that won (second[i] = 1: the second), the other gets 0.
func (f *convFast) padMFMGrad(dst, dy []float32, second []uint8) {
	g, p := f.geo, f.pad
	half := f.cout / 2
	hw := g.h * g.w
	for c := 0; c < half; c++ {
		da, db := dst[c*g.chanStride:(c+1)*g.chanStride], dst[(c+half)*g.chanStride:(c+half+1)*g.chanStride]
		o := p*g.wp + p
		clear(da[:o])
		clear(db[:o])
		for h := 0; h < g.h; h++ {
			s, m := dy[c*hw+h*g.w:c*hw+(h+1)*g.w], second[c*hw+h*g.w:c*hw+(h+1)*g.w]
			ra, rb := da[o:o+g.w], db[o:o+g.w]
			m = m[:len(s)]
			ra, rb = ra[:len(s)], rb[:len(s)]
			for i, v := range s {
				// v to the half that won, 0 to the other (on the bits:
				// no branch).
				bits := math.Float32bits(v)
				sec := -uint32(m[i]) // all ones where the second won
				ra[i] = math.Float32frombits(bits &^ sec)
				rb[i] = math.Float32frombits(bits & sec)
			}
			clear(da[o+g.w : o+g.wp])
			clear(db[o+g.w : o+g.wp])
			o += g.wp
		}
		clear(da[o:])
		clear(db[o:])
	}
}

// chunkCols is the number of product columns computed and stored at a
// time (a multiple of every kernel set's tile width): the chunk of every
// output channel stays in cache between the product and its store.
// (Defined in gemm.go for the fused engine's work items.)

// gemmChunk computes columns [q0, q1) = chunk ch of the product of the
// packed matrix a (mtiles tiles of 4 rows, reduction length k) with the
// rows of b at offsets offs, into buf (rows chunkCols apart).
func (f *convFast) gemmChunk(a []float32, k, mtiles int, b []float32, offs []int, ch int, buf []float32) (q0, q1 int) {
	ks := f.ks
	nr := ks.nr
	q0, q1 = ch*chunkCols, min((ch+1)*chunkCols, f.geo.qhi)
	for mt := 0; mt < mtiles; mt++ {
		ap := &a[mt*k*4]
		for q := q0; q < q1; q += nr {
			ks.gemm(k, ap, &b[q], &offs[0], &buf[mt*4*chunkCols+q-q0], chunkCols)
		}
	}
	return q0, q1
}

// chunks is the number of column chunks of a product.
func (f *convFast) chunks() int { return (f.geo.qhi + chunkCols - 1) / chunkCols }

// fwdScratch splits worker tid's scratch for a forward pass: the padded
// input, the product chunk.
func (f *convFast) fwdScratch(ctx *passCtx, tid int) (xpad, out []float32) {
	nx := f.cin * f.geo.chanStride
	buf := ctx.scratchBuf(tid, nx+roundUp(f.cout, 4)*chunkCols)
	return buf[:nx], buf[nx:]
}

func (f *convFast) forward(x, y *tensor, ctx *passCtx) {
	f.setGeom(x.s.h, x.s.w)
	packRows(f.packedFwd, f.cout, f.kdim, f.w, f.kdim, 1)
	threads := ctx.wk.n
	f.x, f.y, f.ctx = x, y, ctx
	if f.mfm && ctx.training {
		k := x.n * y.s.size()
		if cap(f.second) < k {
			f.second = make([]uint8, k)
		}
		f.second = f.second[:k]
	}
	if x.n >= threads {
		ctx.wk.run(x.n, f.fwdFn)
	} else {
		for n := 0; n < x.n; n++ {
			// One sample: its padded input in worker 0's scratch, the
			// chunks split across the workers.
			xpad, _ := f.fwdScratch(ctx, 0)
			f.padMaps(xpad, x.sample(n), f.cin)
			f.one, f.oneX = n, xpad
			ctx.wk.run(f.chunks(), f.chunkFn)
		}
	}
	f.x, f.y, f.ctx, f.oneX = nil, nil, nil, nil
}

func (f *convFast) forwardSample(tid, n int) {
	xpad, out := f.fwdScratch(f.ctx, tid)
	f.padMaps(xpad, f.x.sample(n), f.cin)
	for ch := range f.chunks() {
		f.productChunk(n, xpad, out, ch)
	}
}

// productChunk computes column chunk ch of sample n's product (all output
// channels) into out and stores its valid columns into the layer's output.
func (f *convFast) productChunk(n int, xpad, out []float32, ch int) {
	q0, q1 := f.gemmChunk(f.packedFwd, f.kdim, roundUp(f.cout, 4)/4, xpad, f.offsFwd, ch, out)
	g := f.geo
	ys := f.y.sample(n)
	hw := g.h * g.w
	var second []uint8
	if f.second != nil && f.ctx.training {
		second = f.second[n*f.y.s.size() : (n+1)*f.y.s.size()]
	}
	for h := q0 / g.wp; h < g.h && h*g.wp < q1; h++ {
		w0, w1 := max(q0-h*g.wp, 0), min(q1-h*g.wp, g.w)
		if w0 >= w1 {
			continue
		}
		src := h*g.wp - h*g.w - q0 // out's column of output value h·W + w is that + src
		i0, i1 := h*g.w+w0, h*g.w+w1
		if !f.mfm {
			for c := 0; c < f.cout; c++ {
				b := f.b[c]
				d, s := ys[c*hw+i0:c*hw+i1], out[c*chunkCols+src+i0:c*chunkCols+src+i1]
				for i, v := range s {
					d[i] = v + b
				}
			}
			continue
		}
		half := f.cout / 2
		for c := 0; c < half; c++ {
			ba, bb := f.b[c], f.b[c+half]
			d := ys[c*hw+i0 : c*hw+i1]
			sa := out[c*chunkCols+src+i0 : c*chunkCols+src+i1]
			sb := out[(c+half)*chunkCols+src+i0 : (c+half)*chunkCols+src+i1]
			sb = sb[:len(sa)]
			d = d[:len(sa)]
			if second == nil {
				for i, v := range sa {
					d[i] = mfmSelect(v+ba, sb[i]+bb)
				}
				continue
			}
			m := second[c*hw+i0 : c*hw+i1]
			m = m[:len(sa)]
			for i, v := range sa {
				a, b := v+ba, sb[i]+bb
				d[i] = mfmSelect(a, b)
				m[i] = b2u8(b > a)
			}
		}
	}
}

// sum8 is the sum of v with eight interleaved accumulators (v[i] goes to
// accumulator i mod 8, then ((a0+a1)+(a2+a3))+((a4+a5)+(a6+a7))): the same
// order every time, without one long chain of dependent additions.
func sum8(v []float32) float32 {
	var a [8]float32
	i := 0
	for ; i+8 <= len(v); i += 8 {
		w := v[i : i+8 : i+8]
		a[0] += w[0]
		a[1] += w[1]
		a[2] += w[2]
		a[3] += w[3]
		a[4] += w[4]
		a[5] += w[5]
		a[6] += w[6]
		a[7] += w[7]
	}
	for j := 0; i < len(v); i, j = i+1, j+1 {
		a[j] += v[i]
	}
	return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]))
}

// mfmSelect is b if b > a, else a (ties and NaN to the first half, as
// mfmLayer), selected on the bits so that the compiler emits no branch.
func mfmSelect(a, b float32) float32 {
	ai, bi := math.Float32bits(a), math.Float32bits(b)
	var m uint32
	if b > a {
		m = ^uint32(0)
	}
	return math.Float32frombits(ai ^ (ai^bi)&m)
}

func b2u8(v bool) uint8 {
	var r uint8
	if v {
		r = 1
	}
	return r
}

// packBackward packs the flipped weights of the backward-data product:
// A'[i][o·k² + t] = W[o][i][k²−1−t] (t = th·k + tw).
func (f *convFast) packBackward() {
	k2 := f.k * f.k
	kb := f.cout * k2
	for t := 0; t < roundUp(f.cin, 4)/4; t++ {
		p := f.packedBwd[t*kb*4 : (t+1)*kb*4]
		for r := 0; r < 4; r++ {
			i := 4*t + r
			for o := 0; o < f.cout; o++ {
				for tap := 0; tap < k2; tap++ {
					v := float32(0)
					if i < f.cin {
						v = f.w[(o*f.cin+i)*k2+k2-1-tap]
					}
					p[4*(o*k2+tap)+r] = v
				}
			}
		}
	}
}

func (f *convFast) backward(x, y, dy, dx *tensor, ctx *passCtx) {
	f.setGeom(x.s.h, x.s.w)
	threads := ctx.wk.n
	if dx != nil {
		f.packBackward()
	}
	dc := f.ks.dc
	np := f.coTiles * f.tapTiles * 4 * dc
	for len(f.dwPart) < threads {
		f.dwPart = append(f.dwPart, nil)
		f.dbPart = append(f.dbPart, make([]float32, f.cout))
	}
	for t := 0; t < threads; t++ {
		if len(f.dwPart[t]) != np {
			f.dwPart[t] = make([]float32, np)
		}
		clear(f.dwPart[t])
		clear(f.dbPart[t])
	}
	f.x, f.y, f.dy, f.dx, f.ctx = x, y, dy, dx, ctx
	ctx.wk.run(x.n, f.bwdFn)
	f.x, f.y, f.dy, f.dx, f.ctx = nil, nil, nil, nil, nil
	for o := 0; o < f.cout; o++ {
		var sb float32
		for t := 0; t < threads; t++ {
			sb += f.dbPart[t][o]
		}
		f.db[o] = sb
		for kk := 0; kk < f.kdim; kk++ {
			idx := ((o/4)*f.tapTiles+kk/dc)*4*dc + (o%4)*dc + kk%dc
			var s float32
			for t := 0; t < threads; t++ {
				s += f.dwPart[t][idx]
			}
			f.dw[o*f.kdim+kk] = s
		}
	}
}

// backwardSample adds sample n's weight and bias gradients to worker tid's
// partials and writes its input gradient.
func (f *convFast) backwardSample(tid, n int) {
	g, p := f.geo, f.pad
	cout4, cin4 := roundUp(f.cout, 4), roundUp(f.cin, 4)
	nx, ndy := f.cin*g.chanStride, cout4*g.chanStride
	buf := f.ctx.scratchBuf(tid, nx+ndy+cin4*chunkCols)
	xpad, dypad, out := buf[:nx], buf[nx:nx+ndy], buf[nx+ndy:]
	f.padMaps(xpad, f.x.sample(n), f.cin)
	if f.mfm {
		f.padMFMGrad(dypad, f.dy.sample(n), f.second[n*f.dy.s.size():(n+1)*f.dy.s.size()])
	} else {
		f.padMaps(dypad, f.dy.sample(n), f.cout)
	}
	clear(dypad[f.cout*g.chanStride:])

	// The bias gradient: the sum of each channel's output gradient, in
	// row-major order (the pads add zeros, which change no sum).
	db := f.dbPart[tid]
	for o := 0; o < f.cout; o++ {
		db[o] += sum8(dypad[o*g.chanStride+p*g.wp : o*g.chanStride+(p+g.h)*g.wp])
	}

	// dW: rows of dY (4 output channels) against the tap-shifted input.
	ks, dc := f.ks, f.ks.dc
	part := f.dwPart[tid]
	a0 := p*g.wp + p
	for q0 := 0; q0 < g.l; q0 += dwChunk {
		l := min(dwChunk, g.l-q0)
		for ct := 0; ct < f.coTiles; ct++ {
			ap := &dypad[ct*4*g.chanStride+a0+q0]
			for kk := 0; kk < f.tapTiles; kk++ {
				ks.dot(l, ap, g.chanStride, &xpad[q0], &f.offsFwd[kk*dc], &part[(ct*f.tapTiles+kk)*4*dc])
			}
		}
	}

	if f.dx == nil {
		return
	}
	// dX, a chunk of columns at a time, stored while in cache.
	dxs := f.dx.sample(n)
	hw := g.h * g.w
	for ch := range f.chunks() {
		q0, q1 := f.gemmChunk(f.packedBwd, f.cout*f.k*f.k, cin4/4, dypad, f.offsBwd, ch, out)
		for h := q0 / g.wp; h < g.h && h*g.wp < q1; h++ {
			w0, w1 := max(q0-h*g.wp, 0), min(q1-h*g.wp, g.w)
			if w0 >= w1 {
				continue
			}
			src := h*g.wp - h*g.w - q0
			i0, i1 := h*g.w+w0, h*g.w+w1
			for c := 0; c < f.cin; c++ {
				copy(dxs[c*hw+i0:c*hw+i1], out[c*chunkCols+src+i0:c*chunkCols+src+i1])
			}
		}
	}
}
