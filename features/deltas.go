package features

// DeltaWindow is N in the HTK regression formula used by AppendDeltas.
const DeltaWindow = 2

// AppendDeltas sets dst to src with its first and second time derivatives
// appended: dst has src.Rows rows and 3·src.Cols columns, [c | Δc | ΔΔc].
// The derivatives are HTK's regression deltas (HTK Book §5.9) with N = 2,
//
//	d_t = Σ_{θ=1}^{N} θ·(c_{t+θ} − c_{t−θ}) / (2·Σ_{θ=1}^{N} θ²),
//
// frames beyond either end replaced by the first or last frame; ΔΔ is the
// same formula applied to Δ. dst may be src (the input is then copied once);
// otherwise dst's storage is reused and nothing is allocated when it is
// large enough.
func AppendDeltas(dst, src *Matrix) {
	if dst == src {
		c := Matrix{Rows: src.Rows, Cols: src.Cols, Data: append([]float32(nil), src.Data...)}
		src = &c
	}
	n, d := src.Rows, src.Cols
	dst.Resize(n, 3*d)
	for t := 0; t < n; t++ {
		copy(dst.Data[t*3*d:t*3*d+d], src.Data[t*d:(t+1)*d])
	}
	regress(dst, 0, d, n, d)
	regress(dst, d, 2*d, n, d)
}

// regress writes into columns [to, to+d) of m the regression deltas of
// columns [from, from+d), over n rows.
func regress(m *Matrix, from, to, n, d int) {
	const denom = 2 * (1*1 + 2*2) // 2·Σθ² for N = 2
	w := m.Cols
	clamp := func(t int) int { return min(max(t, 0), n-1) }
	for t := 0; t < n; t++ {
		out := m.Data[t*w+to : t*w+to+d]
		p1 := m.Data[clamp(t+1)*w+from:]
		m1 := m.Data[clamp(t-1)*w+from:]
		p2 := m.Data[clamp(t+2)*w+from:]
		m2 := m.Data[clamp(t-2)*w+from:]
		for j := range out {
			out[j] = ((p1[j] - m1[j]) + 2*(p2[j]-m2[j])) / denom
		}
	}
}
