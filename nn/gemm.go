package nn

// gemmJob computes C[4mt+r][q] = Σ_k A[4mt+r][k]·B_k[q] for all m tiles and
// q in [0, nr·ntiles), B_k being the row at offset offs[k] from b. Work items
// are (column chunk, m tile) pairs, column-chunk-major so that a thread
// reuses the B rows of its chunk from cache across all m tiles.
type gemmJob struct {
	ks                *kernelSet
	k, mtiles, ntiles int
	a                 []float32 // packed, mtiles × k × 4
	b                 *float32
	offs              []int
	c                 *float32
	ldc               int
	scaleShift        []float32 // if set: fused affine + ReLU + mask (gemm4x24ReLU)
	mask              *float32
	zero              [4]float32 // A of an empty product
	chunk             int        // columns per work item (0: chunkCols)
	fn                func(tid, lo, hi int)
}

// chunkCols is the column width of one work item (a multiple of every nr).
const chunkCols = 192

func (j *gemmJob) init(ks *kernelSet) {
	j.ks = ks
	j.fn = func(_, lo, hi int) { j.run(lo, hi) }
}

func (j *gemmJob) items() int {
	per := j.perItem()
	return (j.ntiles + per - 1) / per * j.mtiles
}

func (j *gemmJob) run(lo, hi int) {
	offs := &j.offs[0]
	nr := j.ks.nr
	per := j.perItem()
	for it := lo; it < hi; it++ {
		ch, mt := it/j.mtiles, it%j.mtiles
		n0 := ch * per
		n1 := min(n0+per, j.ntiles)
		ap := &j.zero[0]
		if j.k > 0 {
			ap = &j.a[mt*j.k*4]
		}
		if j.scaleShift != nil {
			ss := &j.scaleShift[mt*8]
			for nt := n0; nt < n1; nt++ {
				j.ks.gemmReLU(j.k, ap, at(j.b, nt*nr), offs, at(j.c, mt*4*j.ldc+nt*nr), j.ldc, ss, at(j.mask, nt*nr))
			}
			continue
		}
		for nt := n0; nt < n1; nt++ {
			j.ks.gemm(j.k, ap, at(j.b, nt*nr), offs, at(j.c, mt*4*j.ldc+nt*nr), j.ldc)
		}
	}
}

// pack writes the packed A of a matrix given by element(i, k) (rows m,
// columns k) into dst (len roundUp(m,4)·k), zero rows past m.
func packRows(dst []float32, m, k int, w []float32, rowStride, colStride int) {
	packRowsRange(dst, m, k, w, rowStride, colStride, 0, roundUp(m, 4)/4)
}

// packRowsRange packs row tiles t0..t1 only.
func packRowsRange(dst []float32, m, k int, w []float32, rowStride, colStride, t0, t1 int) {
	for t := t0; t < t1; t++ {
		p := dst[t*k*4 : (t+1)*k*4]
		if 4*t+4 > m {
			for r := 0; r < 4; r++ {
				i := 4*t + r
				for kk := 0; kk < k; kk++ {
					v := float32(0)
					if i < m {
						v = w[i*rowStride+kk*colStride]
					}
					p[4*kk+r] = v
				}
			}
			continue
		}
		// Column by column: for a transposed source (rowStride 1) the four
		// values are contiguous, for a plain one they are four streams.
		b0, b1, b2, b3 := 4*t*rowStride, (4*t+1)*rowStride, (4*t+2)*rowStride, (4*t+3)*rowStride
		for kk := 0; kk < k; kk++ {
			o := kk * colStride
			q := p[4*kk : 4*kk+4 : 4*kk+4]
			q[0], q[1], q[2], q[3] = w[b0+o], w[b1+o], w[b2+o], w[b3+o]
		}
	}
}

// perItem is the number of column tiles per work item.
func (j *gemmJob) perItem() int {
	if j.chunk > 0 {
		return max(1, j.chunk/j.ks.nr)
	}
	return chunkCols / j.ks.nr
}
