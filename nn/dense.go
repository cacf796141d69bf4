package nn

// dense is a fully connected layer z = W·x + b, followed (hidden layers) by
// ReLU and inverted dropout: a = max(z, 0)·m, m ∈ {0, 1/(1−p)}.
type dense struct {
	fin, fout   int
	fin4, fout4 int
	drop        float64
	hidden      bool
	w, b        []float32 // [fout][fin], [fout]
	dw, db      []float32

	in, dIn              *mat // dIn nil: no input gradient needed
	z, a                 mat
	mask                 mat
	da, dz               mat
	packedFwd, packedBwd []float32
	offsFwd              []int
	offsBwd              []int
	offsDW               []int
	tile                 []float32 // per-thread 4×dc weight-gradient tile (24 floats)
	scaleShift           []float32 // fused store: per tile of 4 rows, 4 scales then 4 biases
	colMask              []float32
	maskN                int
	fwd, bwd             gemmJob
	ks                   *kernelSet

	n, cols  int
	training bool
	actFn    func(tid, lo, hi int)
	gradFn   func(tid, lo, hi int)
	dwFn     func(tid, lo, hi int)
}

func newDense(ks *kernelSet, fin, fout int, drop float64, hidden bool) *dense {
	d := &dense{fin: fin, fout: fout, fin4: roundUp(fin, 4), fout4: roundUp(fout, 4), drop: drop, hidden: hidden, ks: ks}
	d.z.rows, d.a.rows, d.da.rows, d.dz.rows = d.fout4, d.fout4, d.fout4, d.fout4
	d.mask.rows = d.fout4
	d.packedFwd = make([]float32, d.fout4*fin)
	d.packedBwd = make([]float32, d.fin4*fout)
	d.offsFwd = make([]int, fin+1)
	d.offsBwd = make([]int, fout+1)
	d.offsDW = make([]int, roundUp(fin, 6))
	d.fwd.init(ks)
	d.bwd.init(ks)
	// One column tile per work item: the B panel of a tile (all fin rows)
	// then stays in L2 across the row tiles.
	d.fwd.chunk, d.bwd.chunk = 1, 1
	d.actFn = func(_, lo, hi int) {
		for r := lo; r < hi; r++ {
			d.activate(r)
		}
	}
	d.gradFn = func(_, lo, hi int) {
		for r := lo; r < hi; r++ {
			d.gradRow(r)
		}
	}
	d.dwFn = func(tid, lo, hi int) { d.weightGrad(tid, lo, hi) }
	return d
}

func (d *dense) ensure(n int, train bool) {
	d.z.ensure(n)
	d.a.ensure(n)
	if train {
		d.da.ensure(n)
		d.dz.ensure(n)
		if d.drop > 0 {
			d.mask.ensure(n)
		}
	}
}

func (d *dense) forward(wk *workers, n int, training bool) {
	d.n, d.cols, d.training = n, roundUp(n, maxNR), training
	for k := 0; k < d.fin; k++ {
		d.offsFwd[k] = k * d.in.ld
	}
	f := &d.fwd
	f.k, f.mtiles, f.ntiles = d.fin, d.fout4/4, d.cols/f.ks.nr
	f.a, f.b, f.offs = d.packedFwd, &d.in.data[0], d.offsFwd
	if d.hidden && !(training && d.drop > 0) {
		// Bias and ReLU fused into the product's store; the column mask
		// keeps the columns past the batch zero.
		d.prepareFused(n)
		f.c, f.ldc, f.scaleShift, f.mask = &d.a.data[0], d.a.ld, d.scaleShift, &d.colMask[0]
		wk.run(f.items(), f.fn)
		return
	}
	f.c, f.ldc, f.scaleShift, f.mask = &d.z.data[0], d.z.ld, nil, nil
	wk.run(f.items(), f.fn)
	wk.run(d.fout, d.actFn)
}

// prepareFused sets the fused store's constants: scale 1, shift = bias, and
// a column mask of n ones.
func (d *dense) prepareFused(n int) {
	if len(d.scaleShift) != 2*d.fout4 {
		d.scaleShift = make([]float32, 2*d.fout4)
	}
	for o := 0; o < d.fout4; o++ {
		var b, one float32
		if o < d.fout {
			b, one = d.b[o], 1
		}
		d.scaleShift[o/4*8+o%4], d.scaleShift[o/4*8+4+o%4] = one, b
	}
	if len(d.colMask) < d.cols+maxNR || d.maskN != n {
		if len(d.colMask) < d.cols+maxNR {
			d.colMask = make([]float32, d.cols+maxNR)
		}
		for j := range d.colMask {
			d.colMask[j] = 0
			if j < n {
				d.colMask[j] = 1
			}
		}
		d.maskN = n
	}
}

// activate adds the bias to row r of z and writes the activation.
func (d *dense) activate(r int) {
	z := d.z.row(r)[:d.cols]
	a := d.a.row(r)[:d.cols]
	bias := d.b[r]
	for j := range z[:d.n] {
		z[j] += bias
	}
	if !d.hidden {
		copy(a[:d.n], z[:d.n])
	} else if d.training && d.drop > 0 {
		m := d.mask.row(r)[:d.n]
		for j, v := range z[:d.n] {
			a[j] = max(v, 0) * m[j]
		}
	} else {
		for j, v := range z[:d.n] {
			a[j] = max(v, 0)
		}
	}
	clear(a[d.n:])
}

// backward takes d.dz (output layer) or d.da (hidden layers) and produces
// dW, db and, if d.dIn is set, dL/dx.
func (d *dense) backward(wk *workers) {
	if d.hidden {
		wk.run(d.fout, d.gradFn)
	}
	for k := range d.offsDW {
		if k < d.fin {
			d.offsDW[k] = k * d.in.ld
		} else {
			d.offsDW[k] = 0
		}
	}
	if len(d.tile) < 24*wk.n {
		d.tile = make([]float32, 24*wk.n)
	}
	wk.run(d.fout4/4*(len(d.offsDW)/d.ks.dc), d.dwFn)
	if d.dIn == nil {
		return
	}
	for k := 0; k < d.fout; k++ {
		d.offsBwd[k] = k * d.dz.ld
	}
	b := &d.bwd
	b.k, b.mtiles, b.ntiles = d.fout, d.fin4/4, d.cols/b.ks.nr
	b.a, b.b, b.offs, b.c, b.ldc = d.packedBwd, &d.dz.data[0], d.offsBwd, &d.dIn.data[0], d.dIn.ld
	wk.run(b.items(), b.fn)
}

// gradRow: dz = da·m·[z > 0] for row r.
//
// a > 0 ⇔ z > 0 where the dropout mask is not 0 (and where it is, dz = 0
// either way), so the mask is taken from a, which every hidden layer stores.
func (d *dense) gradRow(r int) {
	z := d.a.row(r)[:d.cols]
	da := d.da.row(r)[:d.cols]
	dz := d.dz.row(r)[:d.cols]
	var m []float32
	if d.training && d.drop > 0 {
		m = d.mask.row(r)[:d.n]
	}
	for j := range z[:d.n] {
		v := float32(0)
		if z[j] > 0 {
			v = da[j]
			if m != nil {
				v *= m[j]
			}
		}
		dz[j] = v
	}
	clear(dz[d.n:])
}

// weightGrad computes tiles lo..hi of dW[o][f] = Σ_n dz[o][n]·x[f][n] and,
// with the first column tile of each row tile, db[o] = Σ_n dz[o][n].
func (d *dense) weightGrad(tid, lo, hi int) {
	dc := d.ks.dc
	kt := len(d.offsDW) / dc
	out := d.tile[tid*24 : tid*24+4*dc]
	for it := lo; it < hi; it++ {
		ot, ft := it/kt, it%kt
		clear(out)
		d.ks.dot(d.cols, &d.dz.data[ot*4*d.dz.ld], d.dz.ld, &d.in.data[0], &d.offsDW[ft*dc], &out[0])
		for r := 0; r < 4; r++ {
			o := ot*4 + r
			if o >= d.fout {
				break
			}
			for j := 0; j < dc; j++ {
				if f := ft*dc + j; f < d.fin {
					d.dw[o*d.fin+f] = out[dc*r+j]
				}
			}
			if ft == 0 {
				var s float64
				for _, v := range d.dz.row(o)[:d.n] {
					s += float64(v)
				}
				d.db[o] = float32(s)
			}
		}
	}
}
