package features

import (
	"fmt"
	"math"
)

// lanes is the number of frames transformed together by frameFFT: one
// float64 AVX2 register holds one value of each of the 4 frames.
const lanes = 4

// frameFFT computes the power spectra of up to lanes windowed frames at once,
//
//	P[k] = |X[k]|² / N,  X[k] = Σ_{n<L} x[n]·exp(−2πi·nk/N),  k = 0…N/2,
//
// for frames of L ≤ N samples zero-padded to N. It is written for the
// fbank's shape (L = 400, N = 2048) and computes in float64:
//
//  1. Real-to-complex packing: z[n] = x[2n] + i·x[2n+1], n < M = N/2; then
//     X[k] = E[k] + W_N^k·O[k] with E[k] = (Z[k] + conj Z[M−k])/2 and
//     O[k] = −i·(Z[k] − conj Z[M−k])/2, where Z is the M-point DFT of z.
//  2. Pruning: z is zero for n ≥ ⌈L/2⌉. With P sub-transforms of size
//     Q = M/P and ⌈L/2⌉ ≤ Q, the first log₂P decimation-in-frequency stages
//     have no partner data, and Z[P·m + r] = DFT_Q(z[n]·W_M^{rn})[m] for
//     r = 0…P−1. For the fbank, P = 4: four 256-point transforms instead of
//     one 1024-point one.
//  3. Each sub-transform is an in-place decimation-in-frequency FFT (natural
//     order in, bit-reversed out): pairs of radix-2 stages fused into
//     radix-4 passes (dif4Stage), a radix-2 stage first when log₂Q is odd,
//     and the twiddle-free last two stages fused (difLast2); the 4 frames in the 4
//     lanes of each value: every butterfly is the same arithmetic on 4
//     independent frames, which maps directly onto SIMD registers (see
//     difStage) with no shuffles. When the first pass is a radix-4 one, the
//     twist of step 2 is done inside it (twistDif4), skipping the inputs
//     past the frame and, for r = 0, the identity twist.
//  4. The sub-transforms run in the order 0, P/2, 1, P−1, 2, P−2, … in two
//     reused buffers, and the bins k, M−k of step 1 are unpacked as soon as
//     both their sub-transforms are done, while these are in cache.
//
// Tried and measured slower on the AVX-512 build machine (see the commit
// log): AVX-512 radix-4 passes (two lane-groups per ZMM register; the
// 512-bit frequency licence costs more than the halved instruction count
// saves), gathers for the windowing transpose, padding the input quarters
// apart. float32 anywhere before the power spectrum is ruled out by
// precision (features.go). Measured and dropped on the shared 2-core
// machine, kernel timed in-process against the current one (min of 20000
// runs): unpack walking k by pointer increments and unrolled twice, 9%
// faster unpack, about 2% overall, not worth a second kernel; unpack with
// its bit-reversed reads made sequential, or its stores dropped (both
// wrong, as bounds): at most 3–5% overall, so neither the access pattern
// nor writing the spectrum out is what unpack costs.
//
// Data are stored split (real and imaginary arrays) and lane-interleaved:
// element n of lane l is at index lanes·n + l. Not safe for concurrent use.
type frameFFT struct {
	n, m, q, p int // N, M = N/2, sub-transform size Q = M/P, P
	zlen       int // ⌈L/2⌉: nonzero packed inputs
	j3         int // inputs n = j + 3Q/4 of the first radix-4 pass are zero for j ≥ j3

	twist    [][2][]float64 // [r][re/im][n]: W_M^{rn}, n < Q
	stageTw  [][2][]float64 // radix-2 DIF stage h = Q/2 when log₂Q is odd: W_{2h}^j, j < h
	r4Tw     [][]float64    // radix-4 stages (g = Q/4 or Q/8, then ÷4 down to 4): W_{4g}^{j,2j,3j}, j < g
	bitrev   []int          // bit reversal of log₂Q bits
	postTab  []float64      // [3k…3k+2]: (1+sin θ)/2N, (1−sin θ)/2N, cos θ/N, θ = −2πk/N, k ≤ M/2
	zIdx     []int          // lanes·(position of Z[k] in zRe/zIm), k < M
	unpackK  [][]int        // [r]: the k ≤ M/2 unpacked once sub-transform r is done
	order    []int          // the order the P sub-transforms are computed in
	slot     []int          // [r]: the buffer (0 or 1) of sub-transform r
	zRe, zIm []float64      // two buffers of Q × lanes: sub-transforms, bit-reversed
	ks       *kernelSet     // the kernels it runs (defaultKernels)
}

func newFrameFFT(n, frameLen int) (*frameFFT, error) {
	if n < 16 || n&(n-1) != 0 {
		return nil, fmt.Errorf("FFT size %d is not a power of two ≥ 16", n)
	}
	if frameLen > n || frameLen < 1 {
		return nil, fmt.Errorf("frame of %d samples does not fit an FFT of %d", frameLen, n)
	}
	f := &frameFFT{n: n, m: n / 2, zlen: (frameLen + 1) / 2, ks: defaultKernels}
	f.p = 1
	for f.p < 8 && f.zlen <= f.m/(2*f.p) && f.m/(2*f.p) >= 8 {
		f.p *= 2
	}
	f.q = f.m / f.p
	f.j3 = min(max(f.zlen-3*f.q/4, 0), f.q/4)
	w := func(k, n int) (float64, float64) {
		s, c := math.Sincos(-2 * math.Pi * float64(k) / float64(n))
		return c, s
	}
	// The twist tables and the input cover all Q packed inputs, zeros
	// past the frame, so that the twist can be fused into the first pass.
	f.twist = make([][2][]float64, f.p)
	for r := range f.twist {
		re, im := make([]float64, f.q), make([]float64, f.q)
		for i := range re {
			re[i], im[i] = w((r*i)%f.m, f.m)
		}
		f.twist[r] = [2][]float64{re, im}
	}
	bitsQ := 0
	for 1<<bitsQ < f.q {
		bitsQ++
	}
	g := f.q / 4
	if bitsQ%2 == 1 {
		h := f.q / 2
		re, im := make([]float64, h), make([]float64, h)
		for j := range re {
			re[j], im[j] = w(j, 2*h)
		}
		f.stageTw = append(f.stageTw, [2][]float64{re, im})
		g = f.q / 8
	}
	for ; g >= 4; g /= 4 {
		tw := make([]float64, 6*g)
		for j := 0; j < g; j++ {
			tw[6*j], tw[6*j+1] = w(j, 4*g)
			tw[6*j+2], tw[6*j+3] = w(2*j, 4*g)
			tw[6*j+4], tw[6*j+5] = w(3*j, 4*g)
		}
		f.r4Tw = append(f.r4Tw, tw)
	}
	bits := 0
	for 1<<bits < f.q {
		bits++
	}
	f.bitrev = make([]int, f.q)
	for i := range f.bitrev {
		r := 0
		for b := 0; b < bits; b++ {
			if i&(1<<b) != 0 {
				r |= 1 << (bits - 1 - b)
			}
		}
		f.bitrev[i] = r
	}
	f.postTab = make([]float64, 3*(f.m/2+1))
	for k := 0; k <= f.m/2; k++ {
		c, s := w(k, n)
		f.postTab[3*k] = (1 + s) / float64(2*n)
		f.postTab[3*k+1] = (1 - s) / float64(2*n)
		f.postTab[3*k+2] = c / float64(n)
	}
	// Sub-transforms are computed in the order 0, P/2, 1, P−1, 2, P−2, …:
	// 0 and P/2 pair with themselves in unpack and are unpacked at once;
	// r < P/2 is kept until P−r is done. So two buffers of Q serve: r goes
	// to buffer slot(r) = 1 if r > P/2, else 0. Reused every batch, they
	// stay in cache. Z[P·m + r] = Y_r[m], at slot(r)'s bit-reversed m.
	f.order = []int{0}
	if f.p >= 2 {
		f.order = append(f.order, f.p/2)
	}
	for r := 1; r < f.p/2; r++ {
		f.order = append(f.order, r, f.p-r)
	}
	slot := func(r int) int {
		if 2*r > f.p {
			return 1
		}
		return 0
	}
	f.zIdx = make([]int, f.m)
	for k := range f.zIdx {
		r, mm := k%f.p, k/f.p
		f.zIdx[k] = (slot(r)*f.q + f.bitrev[mm]) * lanes
	}
	f.slot = make([]int, f.p)
	for r := range f.slot {
		f.slot[r] = slot(r)
	}
	f.unpackK = make([][]int, f.p)
	for k := 1; k <= f.m/2; k++ {
		r := max(k%f.p, (f.m-k)%f.p)
		f.unpackK[r] = append(f.unpackK[r], k)
	}
	// One allocation, the imaginary parts offset by a pad: real and
	// imaginary parts of one element a multiple of 4 KiB apart would alias
	// in the store-forwarding check (4K aliasing) and stall every butterfly.
	const pad = 64
	zl := min(2, f.p) * f.q * lanes
	buf := make([]float64, 2*zl+pad)
	f.zRe = buf[:zl:zl]
	f.zIm = buf[zl+pad:]
	return f, nil
}

// power computes the power spectra of the frames in x: x holds
// lanes·frameLen-rounded-up samples, lane-interleaved (x[lanes·i + l] is
// sample i of frame l, windowed, 2·zlen samples per lane, zero beyond the
// frame). pw receives (N/2+1) × lanes values, pw[lanes·k + l] = P_l[k].
func (f *frameFFT) power(pw, x []float64) {
	ql := f.q * lanes
	x = x[:2*ql]
	// With no radix-2 stage first, the twist is fused into the first
	// radix-4 pass (its inputs are x0…x3 at n = j + i·Q/4).
	fused := len(f.stageTw) == 0 && len(f.r4Tw) > 0
	for _, r := range f.order {
		// Twisted, packed input: y[n] = z[n]·W_M^{rn}, z[n] = x[2n] + i·x[2n+1].
		b := f.slot[r]
		sr, si := f.zRe[b*ql:(b+1)*ql], f.zIm[b*ql:(b+1)*ql]
		r4 := f.r4Tw
		if fused {
			f.ks.twistDif4(sr, si, x, f.twist[r][0], f.twist[r][1], r4[0], f.q/4, f.j3, r == 0)
			r4 = r4[1:]
		} else {
			f.ks.twist(sr, si, x, f.twist[r][0], f.twist[r][1])
		}
		if len(f.stageTw) > 0 {
			f.ks.difStage(sr, si, f.stageTw[0][0], f.stageTw[0][1], f.q/2)
		}
		for _, tw := range r4 {
			f.ks.dif4Stage(sr, si, tw, len(tw)/6)
		}
		f.ks.difLast2(sr, si) // h = 2 and h = 1
		// Unpack the bins whose Z[k] and Z[M−k] are both ready while the
		// sub-transforms just computed are still in cache.
		f.unpack(pw, r)
	}
}

// inputLen is the length power expects of x: 2·Q samples per lane, the
// frame's followed by zeros.
func (f *frameFFT) inputLen() int { return 2 * f.q * lanes }

// twistDif4Go is twistGo followed by dif4StageGo's first pass (g = Q/4) on
// one sub-transform: the reference for the fused kernels (which skip the
// inputs known to be zero).
func twistDif4Go(sr, si, x, tr, ti, tw []float64, g int) {
	twistGo(sr, si, x, tr, ti)
	dif4StageGo(sr, si, tw, g)
}

// unpack turns Z into the power spectrum of the real frames (step 1 of the
// type comment). For k = 1…M/2, with E = (Z[k] + conj Z[M−k])/2,
// O = −i·(Z[k] − conj Z[M−k])/2 and T = W_N^k·O,
//
//	X[k] = E + T,  X[M−k] = conj(E − T)   (as W_N^{M−k} = −conj W_N^k),
//
// so |X[k]|², |X[M−k]|² = |E|² + |T|² ± 2·Re(E·conj T). Expanded in
// a = Z[k] and b = Z[M−k], with W_N^k = cos θ + i·sin θ (|T| = |O|):
//
//	|E|² + |O|²      = (|a|² + |b|²)/2
//	2·Re(E·conj T)   = (|a|² − |b|²)·(sin θ)/2 + (Re a·Im b + Im a·Re b)·cos θ
//	|X[k]|²   = |a|²·(1+sin θ)/2 + |b|²·(1−sin θ)/2 + (Re a·Im b + Im a·Re b)·cos θ
//	|X[M−k]|² = |a|²·(1−sin θ)/2 + |b|²·(1+sin θ)/2 − (Re a·Im b + Im a·Re b)·cos θ
//
// which is 12 floating-point operations per pair of bins instead of 18
// (the complex product and the squares of X), the 1/N folded into the
// three per-k constants (postTab). Its rounding error is a few ulps of
// |a|² + |b|², i.e. of P[k] + P[M−k], instead of a few ulps of P[k]: a bin
// far weaker than its mirror bin M−k loses relative precision. The
// Hamming window bounds that ratio for any input: a component leaks into
// the whole spectrum at its far sidelobes (−80 to −100 dB at the mirror
// band). Over a sweep of pure tones the filter energies move by 5.4e-7
// relative at worst (7.84 kHz into the lowest filter, 1.2e-11 with the
// complex product), 2.3e-7 in log10: 400 times under the seed tolerance,
// about one float32 ulp of the output (TestFbankBatchedMatchesSingleFrame).
//
// X[0] = Re Z[0] + Im Z[0] and X[M] = Re Z[0] − Im Z[0].
//
// Z[k] lies in sub-transform k mod P, so pair k needs sub-transforms
// k mod P and (M−k) mod P = (P − k mod P) mod P; unpack(pw, r) does the
// pairs (f.unpackK[r]) completed by sub-transform r.
func (f *frameFFT) unpack(pw []float64, r int) {
	scale := 1 / float64(f.n)
	m := f.m
	pw = pw[:(m+1)*lanes]
	zr, zi := f.zRe, f.zIm
	if r == 0 {
		i0 := f.zIdx[0]
		for l := 0; l < lanes; l++ {
			a, b := zr[i0+l], zi[i0+l]
			pw[l] = (a + b) * (a + b) * scale
			pw[m*lanes+l] = (a - b) * (a - b) * scale
		}
	}
	f.ks.unpackPairs(pw, zr, zi, f.zIdx[:m], f.postTab, f.unpackK[r], m)
}

// twistGo sets, for n < len(tr), y[n] = z[n]·W_M^{rn} with
// z[n] = x[2n] + i·x[2n+1] (lane-interleaved) and (tr, ti) = W_M^{rn}.
func twistGo(sr, si, x, tr, ti []float64) {
	for n := range tr {
		c, s := tr[n], ti[n]
		a := x[2*n*lanes : 2*n*lanes+2*lanes : 2*n*lanes+2*lanes]
		o := sr[n*lanes : n*lanes+lanes : n*lanes+lanes]
		p := si[n*lanes : n*lanes+lanes : n*lanes+lanes]
		for l := 0; l < lanes; l++ {
			o[l] = a[l]*c - a[l+lanes]*s
			p[l] = a[l]*s + a[l+lanes]*c
		}
	}
}

// unpackPairsGo is unpack's loop over k in ks (1 ≤ k ≤ M/2), with
// tab = postTab.
func unpackPairsGo(pw, zr, zi []float64, idx []int, tab []float64, ks []int, m int) {
	for _, k := range ks {
		a, b := idx[k], idx[m-k]
		t := tab[3*k : 3*k+3 : 3*k+3]
		ar, ai := zr[a:a+lanes:a+lanes], zi[a:a+lanes:a+lanes]
		br, bi := zr[b:b+lanes:b+lanes], zi[b:b+lanes:b+lanes]
		p := pw[k*lanes : k*lanes+lanes : k*lanes+lanes]
		q := pw[(m-k)*lanes : (m-k)*lanes+lanes : (m-k)*lanes+lanes]
		for l := 0; l < lanes; l++ {
			za := ar[l]*ar[l] + ai[l]*ai[l]
			zb := br[l]*br[l] + bi[l]*bi[l]
			x := ar[l]*bi[l] + ai[l]*br[l]
			p[l] = x*t[2] + za*t[0] + zb*t[1]
			q[l] = za*t[1] + zb*t[0] - x*t[2]
		}
	}
}

// difStageGo is one radix-2 decimation-in-frequency stage of half-size h on
// lane-interleaved split data: for each block of 2h elements starting at s
// and each j < h, with a = v[s+j], b = v[s+j+h] and w = W_{2h}^j,
//
//	v[s+j] = a + b,  v[s+j+h] = (a − b)·w.
func difStageGo(re, im, wr, wi []float64, h int) {
	n := len(re) / lanes
	for s := 0; s < n; s += 2 * h {
		for j := 0; j < h; j++ {
			c, d := wr[j], wi[j]
			p := (s + j) * lanes
			q := (s + j + h) * lanes
			ar, ai := re[p:p+lanes:p+lanes], im[p:p+lanes:p+lanes]
			br, bi := re[q:q+lanes:q+lanes], im[q:q+lanes:q+lanes]
			for l := 0; l < lanes; l++ {
				tr, ti := ar[l]-br[l], ai[l]-bi[l]
				ar[l] += br[l]
				ai[l] += bi[l]
				br[l] = tr*c - ti*d
				bi[l] = tr*d + ti*c
			}
		}
	}
}

// difLast2Go applies the last two DIF stages (h = 2 then h = 1) at once to
// each block of four lane-groups x0…x3; their twiddles are 1 and −i:
//
//	a0 = x0 + x2, a2 = x0 − x2, a1 = x1 + x3, d = x1 − x3,
//	y0 = a0 + a1, y1 = a0 − a1, y2 = a2 − i·d, y3 = a2 + i·d.
func difLast2Go(re, im []float64) {
	for b := 0; b+4*lanes <= len(re); b += 4 * lanes {
		r := re[b : b+4*lanes : b+4*lanes]
		i := im[b : b+4*lanes : b+4*lanes]
		for l := 0; l < lanes; l++ {
			x0r, x1r, x2r, x3r := r[l], r[lanes+l], r[2*lanes+l], r[3*lanes+l]
			x0i, x1i, x2i, x3i := i[l], i[lanes+l], i[2*lanes+l], i[3*lanes+l]
			a0r, a2r, a1r, dr := x0r+x2r, x0r-x2r, x1r+x3r, x1r-x3r
			a0i, a2i, a1i, di := x0i+x2i, x0i-x2i, x1i+x3i, x1i-x3i
			r[l], i[l] = a0r+a1r, a0i+a1i
			r[lanes+l], i[lanes+l] = a0r-a1r, a0i-a1i
			r[2*lanes+l], i[2*lanes+l] = a2r+di, a2i-dr
			r[3*lanes+l], i[3*lanes+l] = a2r-di, a2i+dr
		}
	}
}

// dif4StageGo fuses the DIF stages of half-sizes 2g and g: for each block of
// 4g lane-groups and j < g, with x0…x3 = v[s+j+{0,g,2g,3g}] and
// (w1, w2, w3) = W_{4g}^{j, 2j, 3j} = tw[6j…6j+5],
//
//	v[s+j]    = (x0+x2) + (x1+x3)
//	v[s+j+g]  = ((x0+x2) − (x1+x3))·w2
//	v[s+j+2g] = ((x0−x2) − i(x1−x3))·w1
//	v[s+j+3g] = ((x0−x2) + i(x1−x3))·w3
//
// which is what the two radix-2 stages compute, with three twiddle products
// instead of four and one pass over the data instead of two.
func dif4StageGo(re, im, tw []float64, g int) {
	n := len(re) / lanes
	for s := 0; s < n; s += 4 * g {
		for j := 0; j < g; j++ {
			t := tw[6*j : 6*j+6 : 6*j+6]
			p0, p1, p2, p3 := (s+j)*lanes, (s+j+g)*lanes, (s+j+2*g)*lanes, (s+j+3*g)*lanes
			for l := 0; l < lanes; l++ {
				x0r, x0i := re[p0+l], im[p0+l]
				x1r, x1i := re[p1+l], im[p1+l]
				x2r, x2i := re[p2+l], im[p2+l]
				x3r, x3i := re[p3+l], im[p3+l]
				s02r, s02i, d02r, d02i := x0r+x2r, x0i+x2i, x0r-x2r, x0i-x2i
				s13r, s13i, e13r, e13i := x1r+x3r, x1i+x3i, x1r-x3r, x1i-x3i
				re[p0+l], im[p0+l] = s02r+s13r, s02i+s13i
				tr, ti := s02r-s13r, s02i-s13i
				re[p1+l], im[p1+l] = tr*t[2]-ti*t[3], tr*t[3]+ti*t[2]
				pr, pi := d02r+e13i, d02i-e13r
				re[p2+l], im[p2+l] = pr*t[0]-pi*t[1], pr*t[1]+pi*t[0]
				qr, qi := d02r-e13i, d02i+e13r
				re[p3+l], im[p3+l] = qr*t[4]-qi*t[5], qr*t[5]+qi*t[4]
			}
		}
	}
}
