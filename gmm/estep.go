package gmm

import (
	"math"
	"runtime"
	"sync"
)

// blockFrames is the number of frames evaluated together: the log-density
// block (blockFrames × K float64, 256 KiB for K = 512) and the packed frames
// stay in L2 while the kernel sweeps the components.
const blockFrames = 128

func roundUp(n, m int) int { return (n + m - 1) / m * m }

// prep is a GMM's parameters in matrix form for the E-step (package doc):
// for each component k, the row Wₖ = [−1/2σ²ₖ, μₖ/σ²ₖ] (2D values) packed
// as the right operand of the kernel, and the constant cₖ.
type prep struct {
	k, dim int
	kp     int       // K rounded up to the kernel's tile width
	wpack  []float64 // kp/nr panels of (2D × nr)
	cst    []float64 // kp constants cₖ (0 in the padding)
}

func newPrep(k, dim int) *prep {
	kp := roundUp(k, nr)
	return &prep{k: k, dim: dim, kp: kp, wpack: make([]float64, kp*2*dim), cst: make([]float64, kp)}
}

// load fills p from g (which must be valid and match p's shape).
func (p *prep) load(g *GMM) {
	d := p.dim
	pd := 2 * d
	clear(p.wpack)
	clear(p.cst)
	for k := 0; k < p.k; k++ {
		panel := p.wpack[(k/nr)*pd*nr:]
		j := k % nr
		mu := g.Means[k*d : (k+1)*d]
		vr := g.Vars[k*d : (k+1)*d]
		c := 0.0
		for i := 0; i < d; i++ {
			prec := 1 / vr[i]
			panel[i*nr+j] = -0.5 * prec
			panel[(d+i)*nr+j] = mu[i] * prec
			c += math.Log(2*math.Pi*vr[i]) + mu[i]*mu[i]*prec
		}
		lw := math.Inf(-1)
		if g.Weights[k] > 0 {
			lw = math.Log(g.Weights[k])
		}
		p.cst[k] = lw - 0.5*c
	}
}

// work is the scratch space of one goroutine: packed frames, the
// log-density/responsibility block and, for training, the packed operands
// and accumulators of the M-step product.
type work struct {
	ks    *kernelSet
	apack []float64 // blockFrames/mr panels of (2D × mr): [x², x] of each frame
	l     []float64 // blockFrames × kp: log wₖN(xₜ|k), then responsibilities γₜₖ

	// Training only.
	np    int       // 2D+1 rounded up to nr: columns [x, x², 1, 0…]
	gpack []float64 // kp/mr panels of (blockFrames × mr): γᵀ
	xpack []float64 // np/nr panels of (blockFrames × nr): [x, x², 1]
	acc   []float64 // kp × np: Σₜ γₜₖ [xₜ, xₜ², 1]
	xrow  []float64 // np: [x, x², 1, 0…] of one frame
	inv   []float64 // blockFrames: 1/Σₖ exp(lₜₖ − max)
}

func newWork(p *prep, train bool) *work {
	w := &work{
		ks:    defaultKernels,
		apack: make([]float64, blockFrames*2*p.dim),
		l:     make([]float64, blockFrames*p.kp),
	}
	if train {
		w.np = roundUp(2*p.dim+1, nr)
		w.gpack = make([]float64, p.kp*blockFrames)
		w.xpack = make([]float64, w.np*blockFrames)
		w.acc = make([]float64, p.kp*w.np)
		w.xrow = make([]float64, w.np)
		w.xrow[2*p.dim] = 1
		w.inv = make([]float64, blockFrames)
	}
	return w
}

// logDensities fills w.l[t*kp+k] = log wₖ N(xₜ | μₖ, σ²ₖ) for the rows
// frames of x (rows ≤ blockFrames) as cₖ + [xₜ², xₜ]·Wₖ.
func (w *work) logDensities(p *prep, x []float32, rows int) {
	d, pd, kp := p.dim, 2*p.dim, p.kp
	rp := roundUp(rows, mr)
	for ip := 0; ip < rp; ip += mr {
		panel := w.apack[ip*pd : (ip+mr)*pd]
		for r := 0; r < mr; r++ {
			t := ip + r
			if t >= rows {
				for q := 0; q < pd; q++ {
					panel[q*mr+r] = 0
				}
				continue
			}
			xt := x[t*d : (t+1)*d]
			for i, v32 := range xt {
				v := float64(v32)
				panel[i*mr+r] = v * v
				panel[(d+i)*mr+r] = v
			}
		}
	}
	for t := 0; t < rp; t++ {
		copy(w.l[t*kp:(t+1)*kp], p.cst)
	}
	gemmPacked(w.ks, rp, kp, pd, w.apack, p.wpack, w.l, kp)
}

// logSumExp returns log Σₖ exp(row[k]) = max + log Σₖ exp(row[k] − max),
// leaving exp(row[k] − max) in row.
func logSumExp(ks *kernelSet, row []float64) float64 {
	mx := rowMax(row)
	if math.IsInf(mx, -1) {
		// Every component has zero weight: impossible for a model that
		// passed Validate with positive weights; report it as −Inf.
		return math.Inf(-1)
	}
	return mx + math.Log(ks.expSub(row, mx))
}

// block evaluates rows frames of x and returns Σₜ log p(xₜ). With train set,
// it also adds the frames' sufficient statistics to w.acc (M-step).
func (w *work) block(p *prep, x []float32, rows int, train bool) float64 {
	w.logDensities(p, x, rows)
	kp, k := p.kp, p.k
	total := 0.0
	if !train {
		for t := 0; t < rows; t++ {
			total += logSumExp(w.ks, w.l[t*kp:t*kp+k])
		}
		return total
	}
	// Responsibilities γₜₖ = exp(lₜₖ − max)/sₜ: the exponentials stay in w.l,
	// the normalisation 1/sₜ is applied while packing γᵀ.
	for t := 0; t < rows; t++ {
		row := w.l[t*kp : (t+1)*kp]
		mx := rowMax(row[:k])
		if math.IsInf(mx, -1) { // no component can explain the frame (see logSumExp)
			clear(row)
			total += math.Inf(-1)
			w.inv[t] = 0
			continue
		}
		s := w.ks.expSub(row[:k], mx)
		clear(row[k:])
		total += mx + math.Log(s)
		w.inv[t] = 1 / s
	}
	w.accumulate(p, x, rows)
	return total
}

// logLik writes log p(xₜ) of rows frames into out.
func (w *work) logLik(p *prep, x []float32, rows int, out []float64) {
	w.logDensities(p, x, rows)
	for t := 0; t < rows; t++ {
		out[t] = logSumExp(w.ks, w.l[t*p.kp:t*p.kp+p.k])
	}
}

// accumulate adds γᵀ·[x, x², 1] for the current block to w.acc, where γ is
// the responsibility block left in w.l by block.
func (w *work) accumulate(p *prep, x []float32, rows int) {
	d, kp, np := p.dim, p.kp, w.np
	// Pack γᵀ (normalised by 1/sₜ): panels of mr components, p-major over
	// frames, written frame by frame so that w.l is read sequentially.
	t := 0
	for ; t+4 <= rows; t += 4 { // 4 frames × 4 components at a time
		i0, i1, i2, i3 := w.inv[t], w.inv[t+1], w.inv[t+2], w.inv[t+3]
		g0 := w.l[t*kp : (t+1)*kp]
		g1 := w.l[(t+1)*kp : (t+2)*kp]
		g2 := w.l[(t+2)*kp : (t+3)*kp]
		g3 := w.l[(t+3)*kp : (t+4)*kp]
		for kq := 0; kq < kp; kq += mr {
			dst := w.gpack[kq*rows+t*mr : kq*rows+t*mr+4*mr]
			a, b, c, e := g0[kq:kq+mr], g1[kq:kq+mr], g2[kq:kq+mr], g3[kq:kq+mr]
			dst[0], dst[1], dst[2], dst[3] = a[0]*i0, a[1]*i0, a[2]*i0, a[3]*i0
			dst[4], dst[5], dst[6], dst[7] = b[0]*i1, b[1]*i1, b[2]*i1, b[3]*i1
			dst[8], dst[9], dst[10], dst[11] = c[0]*i2, c[1]*i2, c[2]*i2, c[3]*i2
			dst[12], dst[13], dst[14], dst[15] = e[0]*i3, e[1]*i3, e[2]*i3, e[3]*i3
		}
	}
	for ; t < rows; t++ {
		inv := w.inv[t]
		g := w.l[t*kp : (t+1)*kp]
		for kq := 0; kq < kp; kq += mr {
			dst := w.gpack[kq*rows+t*mr : kq*rows+t*mr+mr]
			src := g[kq : kq+mr]
			dst[0], dst[1], dst[2], dst[3] = src[0]*inv, src[1]*inv, src[2]*inv, src[3]*inv
		}
	}
	// Pack [x, x², 1, 0…] in panels of nr columns, p-major over frames, via
	// one row buffer per frame.
	row := w.xrow
	for t := 0; t < rows; t++ {
		for i, v32 := range x[t*d : (t+1)*d] {
			v := float64(v32)
			row[i] = v
			row[d+i] = v * v
		}
		for jq := 0; jq < np; jq += nr {
			copy(w.xpack[jq*rows+t*nr:jq*rows+t*nr+nr], row[jq:jq+nr])
		}
	}
	gemmPacked(w.ks, kp, np, rows, w.gpack, w.xpack, w.acc, np)
}

// parallelChunk is the unit of work when scoring large inputs in parallel.
// Partial sums are kept per chunk and added in order, so the result is the
// same for every thread count.
const parallelChunk = 32 * blockFrames

func (s *Scorer) meanLogLikelihoodParallel(data []float32) (float64, error) {
	n, err := s.frames(data)
	if err != nil {
		return 0, err
	}
	chunks := (n + parallelChunk - 1) / parallelChunk
	threads := min(runtime.GOMAXPROCS(0), chunks)
	if threads <= 1 {
		return s.sum(data, n) / float64(n), nil
	}
	d := s.p.dim
	part := make([]float64, chunks)
	var wg sync.WaitGroup
	for th := 0; th < threads; th++ {
		wk := s.w
		if th > 0 {
			wk = newWork(s.p, false)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := Scorer{p: s.p, w: wk}
			for c := th; c < chunks; c += threads {
				lo, hi := c*parallelChunk, min((c+1)*parallelChunk, n)
				part[c] = sc.sum(data[lo*d:hi*d], hi-lo)
			}
		}()
	}
	wg.Wait()
	total := 0.0
	for _, v := range part {
		total += v
	}
	return total / float64(n), nil
}

// expNeg returns eˣ for x ≤ 0 with a relative error below 1e-14, and 0 for
// x < −700. It replaces math.Exp in the responsibilities (K exponentials per
// frame, as many as the E-step has multiply-adds per 120 dimensions): e^x =
// 2ⁿ·eʳ with n = round(x/ln 2), |r| ≤ ln2/2, and eʳ by its degree-11 Taylor
// polynomial (truncation error ≤ (ln2/2)¹²/12! < 1e-14).
func expNeg(x float64) float64 {
	if !(x >= -700) {
		return 0
	}
	const (
		log2e = 1.4426950408889634
		ln2hi = 6.93147180369123816490e-01
		ln2lo = 1.90821492927058770002e-10
	)
	n := int64(x*log2e - 0.5) // rounds to nearest for x ≤ 0
	fn := float64(n)
	r := x - fn*ln2hi - fn*ln2lo
	p := 1.0 / 39916800
	p = p*r + 1.0/3628800
	p = p*r + 1.0/362880
	p = p*r + 1.0/40320
	p = p*r + 1.0/5040
	p = p*r + 1.0/720
	p = p*r + 1.0/120
	p = p*r + 1.0/24
	p = p*r + 1.0/6
	p = p*r + 0.5
	p = p*r + 1
	p = p*r + 1
	return p * math.Float64frombits(uint64(n+1023)<<52)
}

// rowMax returns the largest value of row (−Inf for an empty row).
func rowMax(row []float64) float64 {
	m0, m1 := math.Inf(-1), math.Inf(-1)
	i := 0
	// Plain comparisons: the builtin max handles NaN and ±0 and is slower;
	// log-densities are never NaN.
	for ; i+2 <= len(row); i += 2 {
		if row[i] > m0 {
			m0 = row[i]
		}
		if row[i+1] > m1 {
			m1 = row[i+1]
		}
	}
	if i < len(row) && row[i] > m0 {
		m0 = row[i]
	}
	if m1 > m0 {
		return m1
	}
	return m0
}
