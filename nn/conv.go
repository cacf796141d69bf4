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
	cin, cout     int
	cin4, cout4   int
	k             int // 9·cin
	g             geom
	w, b, gm, bt  []float32 // weight [cout][cin][3][3], bias, BN weight, BN bias
	dw, db        []float32
	dgm, dbt      []float32
	runMean       []float32
	runVar        []float32
	meanY, invstd []float64 // batch statistics of the last training forward (of y, without bias)

	in, dIn  *act // input and the gradient written for it (dIn nil for the first layer)
	y, a     act
	da, dy   act
	apF, apB []float32
	offF     []int
	offB     []int
	partial  [][]float32
	fwd, bwd gemmJob
	dwj      dwJob

	pool *maxPool

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
	c.apF = make([]float32, c.cout4*c.k)
	c.apB = make([]float32, c.cin4*9*cout)
	c.offF = make([]int, c.k+1)
	c.offB = make([]int, 9*cout+1)
	c.meanY = make([]float64, cout)
	c.invstd = make([]float64, cout)
	c.fwd.init(ks)
	c.bwd.init(ks)
	c.dwj.init(ks)
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
	packRows(c.apF, c.cout, c.k, c.w, c.k, 1)
	// Backward data: dX[ci][q] = Σ_{c,t'} W[c][ci][8−t'] · dY[c][q + off(t')],
	// so A'[ci][c·9 + t'] = W[c·k + ci·9 + 8 − t'].
	k2 := 9 * c.cout
	mt := c.cin4 / 4
	for t := 0; t < mt; t++ {
		p := c.apB[t*k2*4 : (t+1)*k2*4]
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
	ntiles := c.g.qhi(n) / 24
	tapOffsets(c.offF, c.cin, c.in.cs, c.g.wp)
	f := &c.fwd
	f.k, f.mtiles, f.ntiles = c.k, c.cout4/4, ntiles
	f.a, f.b, f.offs, f.c, f.ldc = c.apF, c.in.ptr(), c.offF, c.y.ptr(), c.y.cs
	wk.run(f.items(), f.fn)
	wk.run(c.cout, c.bnFwdFn)
	if c.pool != nil {
		c.pool.forward(wk, n, &c.a)
	}
}

// bnForward normalises channel ch of y into a (with ReLU), updating the
// running statistics in training (PyTorch semantics: the running variance
// takes the unbiased batch variance, the normalisation the biased one).
func (c *conv) bnForward(ch int) {
	g := c.g
	y := c.y.ch(ch)
	var scale, shift float32
	if c.training {
		first := float64(y[g.base])
		var s, ss float64
		for i := 0; i < c.n; i++ {
			for h := 0; h < g.h; h++ {
				o := g.base + i*g.s + h*g.wp
				var rs, rss float32
				for _, v := range y[o : o+g.w] {
					d := v - float32(first)
					rs += d
					rss += d * d
				}
				s += float64(rs)
				ss += float64(rss)
			}
		}
		m := float64(c.n * g.h * g.w)
		mean := s / m
		variance := max(ss/m-mean*mean, 0)
		mean += first
		inv := 1 / math.Sqrt(variance+bnEps)
		c.meanY[ch], c.invstd[ch] = mean, inv
		c.runMean[ch] = float32((1-bnMomentum)*float64(c.runMean[ch]) + bnMomentum*(mean+float64(c.b[ch])))
		c.runVar[ch] = float32((1-bnMomentum)*float64(c.runVar[ch]) + bnMomentum*variance*m/(m-1))
		sc := float64(c.gm[ch]) * inv
		scale, shift = float32(sc), float32(float64(c.bt[ch])-mean*sc)
	} else {
		sc := float64(c.gm[ch]) / math.Sqrt(float64(c.runVar[ch])+bnEps)
		scale = float32(sc)
		shift = float32(float64(c.bt[ch]) + (float64(c.b[ch])-float64(c.runMean[ch]))*sc)
	}
	a := c.a.ch(ch)[:g.span(c.n)]
	clear(a[:g.base])
	for i := 0; i < c.n; i++ {
		for h := 0; h < g.h; h++ {
			o := g.base + i*g.s + h*g.wp
			dst := a[o : o+g.w]
			for j, v := range y[o : o+g.w] {
				dst[j] = max(v*scale+shift, 0)
			}
			a[o+g.w] = 0
		}
		o := g.base + i*g.s + g.h*g.wp
		clear(a[o : o+g.wp])
	}
	clear(a[g.base+c.n*g.s:])
}

// backward takes c.da (dL/da) and produces the parameter gradients and, if
// c.dIn is set, dL/dx.
func (c *conv) backward(wk *workers) {
	n := c.n
	if c.pool != nil {
		c.pool.backward(wk, n, &c.da)
	}
	wk.run(c.cout, c.bnBwdFn)
	// Weight gradient: dW[co][k] = Σ_q dY[co][q] · X[q + off(k)].
	qhi := c.g.qhi(n)
	j := &c.dwj
	j.ct, j.kt = c.cout4/4, c.k/3
	j.qtot = qhi
	j.chunk = max(64, roundUp(32768/(c.cout4+c.cin), 8))
	j.a, j.lda, j.b, j.offs = c.dy.ptr(), c.dy.cs, c.in.ptr(), c.offF
	if len(c.partial) != wk.n {
		c.partial = make([][]float32, wk.n)
		for t := range c.partial {
			c.partial[t] = make([]float32, j.ct*j.kt*12)
		}
	}
	for _, p := range c.partial {
		clear(p)
	}
	j.partial = c.partial
	wk.run((qhi+j.chunk-1)/j.chunk, j.fn)
	for co := 0; co < c.cout; co++ {
		for kk := 0; kk < c.k; kk++ {
			idx := ((co/4)*j.kt+kk/3)*12 + (co%4)*3 + kk%3
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
	tapOffsets(c.offB, c.cout, c.dy.cs, c.g.wp)
	b := &c.bwd
	b.k, b.mtiles, b.ntiles = 9*c.cout, c.cin4/4, qhi/24
	b.a, b.b, b.offs, b.c, b.ldc = c.apB, c.dy.ptr(), c.offB, c.dIn.ptr(), c.dIn.cs
	wk.run(b.items(), b.fn)
}

// bnBackward: with g = dL/da·[a > 0] and x̂ = (y − μ)/σ,
//
//	dγ = Σ g·x̂,  dβ = Σ g,  dL/dy = γ/σ · (g − dβ/M − x̂·dγ/M),
//
// and the conv bias gradient is Σ dL/dy.
func (c *conv) bnBackward(ch int) {
	g := c.g
	y, a, da := c.y.ch(ch), c.a.ch(ch), c.da.ch(ch)
	mean, inv := c.meanY[ch], c.invstd[ch]
	mf, invf := float32(mean), float32(inv)
	var sg, sgx float64
	for i := 0; i < c.n; i++ {
		for h := 0; h < g.h; h++ {
			o := g.base + i*g.s + h*g.wp
			yr, ar, dr := y[o:o+g.w], a[o:o+g.w], da[o:o+g.w]
			var rs, rsx float32
			for j := range yr {
				if ar[j] > 0 {
					rs += dr[j]
					rsx += dr[j] * (yr[j] - mf) * invf
				}
			}
			sg += float64(rs)
			sgx += float64(rsx)
		}
	}
	m := float64(c.n * g.h * g.w)
	c.dbt[ch], c.dgm[ch] = float32(sg), float32(sgx)
	k1 := float32(float64(c.gm[ch]) * inv)
	k2 := float32(sg / m)
	k3 := float32(sgx / m)
	dy := c.dy.ch(ch)[:g.span(c.n)]
	clear(dy[:g.base])
	var sdx float64
	for i := 0; i < c.n; i++ {
		for h := 0; h < g.h; h++ {
			o := g.base + i*g.s + h*g.wp
			yr, ar, dr := y[o:o+g.w], a[o:o+g.w], da[o:o+g.w]
			dst := dy[o : o+g.w]
			var rs float32
			for j := range yr {
				gv := float32(0)
				if ar[j] > 0 {
					gv = dr[j]
				}
				v := k1 * (gv - k2 - (yr[j]-mf)*invf*k3)
				dst[j] = v
				rs += v
			}
			sdx += float64(rs)
			dy[o+g.w] = 0
		}
		o := g.base + i*g.s + g.h*g.wp
		clear(dy[o : o+g.wp])
	}
	clear(dy[g.base+c.n*g.s:])
	c.db[ch] = float32(sdx)
}

// dwJob accumulates the weight gradient of a convolution over chunks of
// positions; each thread sums its chunks into its own partial tile buffer,
// the partials are added in thread order afterwards (deterministic).
type dwJob struct {
	ks          *kernelSet
	ct, kt      int
	chunk, qtot int
	a           *float32
	lda         int
	b           *float32
	offs        []int
	partial     [][]float32
	fn          func(tid, lo, hi int)
}

func (j *dwJob) init(ks *kernelSet) {
	j.ks = ks
	j.fn = func(tid, lo, hi int) { j.run(tid, lo, hi) }
}

func (j *dwJob) run(tid, lo, hi int) {
	p := j.partial[tid]
	for ci := lo; ci < hi; ci++ {
		q0 := ci * j.chunk
		l := min(j.chunk, j.qtot-q0)
		for co := 0; co < j.ct; co++ {
			ap := at(j.a, co*4*j.lda+q0)
			for kk := 0; kk < j.kt; kk++ {
				j.ks.dot4x3(l, ap, j.lda, at(j.b, q0), &j.offs[kk*3], &p[(co*j.kt+kk)*12])
			}
		}
	}
}

// maxPool is a PoolH × PoolW max pool with stride equal to its size (VALID:
// trailing rows/columns that do not fill a window are dropped). Ties go to
// the first maximum in row-major window order, as in PyTorch.
type maxPool struct {
	ph, pw   int
	gi, gout geom
	c        int
	out      act
	dOut     act
	arg      []int32 // per channel, per output position: input position q
	n        int
	in, din  *act
	fwdFn    func(tid, lo, hi int)
	bwdFn    func(tid, lo, hi int)
}

func newMaxPool(gi geom, c, ph, pw int) *maxPool {
	p := &maxPool{ph: ph, pw: pw, gi: gi, gout: newGeom(gi.h/ph, gi.w/pw), c: c}
	p.out = newAct(p.gout, roundUp(c, 4))
	p.dOut = newAct(p.gout, roundUp(c, 4))
	p.fwdFn = func(_, lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			p.forwardChannel(ch)
		}
	}
	p.bwdFn = func(_, lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			p.backwardChannel(ch)
		}
	}
	return p
}

func (p *maxPool) ensure(n int, train bool) {
	p.out.ensure(n)
	if train {
		p.dOut.ensure(n)
	}
	per := n * p.gout.h * p.gout.w
	if len(p.arg) < p.c*per {
		p.arg = make([]int32, p.c*per)
	}
}

func (p *maxPool) forward(wk *workers, n int, in *act) {
	p.n, p.in = n, in
	wk.run(p.c, p.fwdFn)
}

func (p *maxPool) forwardChannel(ch int) {
	gi, g := p.gi, p.gout
	src := p.in.ch(ch)
	dst := p.out.ch(ch)[:g.span(p.n)]
	per := p.n * g.h * g.w
	arg := p.arg[ch*per : (ch+1)*per]
	clear(dst)
	k := 0
	for i := 0; i < p.n; i++ {
		for oh := 0; oh < g.h; oh++ {
			for ow := 0; ow < g.w; ow++ {
				q0 := gi.base + i*gi.s + oh*p.ph*gi.wp + ow*p.pw
				best, bq := src[q0], q0
				for dh := 0; dh < p.ph; dh++ {
					for dw := 0; dw < p.pw; dw++ {
						q := q0 + dh*gi.wp + dw
						if v := src[q]; v > best {
							best, bq = v, q
						}
					}
				}
				dst[g.base+i*g.s+oh*g.wp+ow] = best
				arg[k] = int32(bq)
				k++
			}
		}
	}
}

func (p *maxPool) backward(wk *workers, n int, din *act) {
	p.n, p.din = n, din
	wk.run(p.c, p.bwdFn)
}

func (p *maxPool) backwardChannel(ch int) {
	gi, g := p.gi, p.gout
	dst := p.din.ch(ch)[:gi.span(p.n)]
	src := p.dOut.ch(ch)
	per := p.n * g.h * g.w
	arg := p.arg[ch*per : (ch+1)*per]
	clear(dst)
	k := 0
	for i := 0; i < p.n; i++ {
		for oh := 0; oh < g.h; oh++ {
			o := g.base + i*g.s + oh*g.wp
			for _, v := range src[o : o+g.w] {
				dst[arg[k]] = v
				k++
			}
		}
	}
}
