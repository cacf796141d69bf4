package features

import "math"

// DCT is an orthonormal DCT-II from In() to Out() points, keeping the first
// Out() coefficients (scipy.fft.dct(x, type=2, norm="ortho")[:out]):
//
//	y[k] = s_k · Σ_{n<N} x[n]·cos(πk(2n+1) / 2N),  k = 0…out−1,
//	s_0 = √(1/N),  s_k = √(2/N) for k > 0,
//
// with N = In(). The basis is tabulated once; Apply is a small matrix-vector
// product accumulated in float64 (out·N multiply-adds: for cepstra, with
// out ≪ N, that beats an FFT-based DCT). A DCT is read-only after
// construction and safe for concurrent use.
type DCT struct {
	in, out int
	basis   []float64 // out × in, row k = s_k·cos(πk(2n+1)/2N)
}

// NewDCT returns the orthonormal DCT-II of in points keeping out
// coefficients. It panics unless 1 ≤ out ≤ in.
func NewDCT(in, out int) *DCT {
	if out < 1 || out > in {
		panic("features.NewDCT: want 1 ≤ out ≤ in")
	}
	d := &DCT{in: in, out: out, basis: make([]float64, out*in)}
	for k := 0; k < out; k++ {
		s := math.Sqrt(2 / float64(in))
		if k == 0 {
			s = math.Sqrt(1 / float64(in))
		}
		for n := 0; n < in; n++ {
			d.basis[k*in+n] = s * math.Cos(math.Pi*float64(k)*float64(2*n+1)/float64(2*in))
		}
	}
	return d
}

// In is the number of input points.
func (d *DCT) In() int { return d.in }

// Out is the number of coefficients kept.
func (d *DCT) Out() int { return d.out }

// Apply sets dst[:Out()] to the DCT of src[:In()]. dst must not overlap src.
func (d *DCT) Apply(dst, src []float32) {
	src = src[:d.in]
	dst = dst[:d.out]
	for k := range dst {
		row := d.basis[k*d.in : (k+1)*d.in]
		var s float64
		for n, v := range src {
			s += row[n] * float64(v)
		}
		dst[k] = float32(s)
	}
}

// Apply64 is Apply for float64 input, for callers that keep log energies in
// double precision.
func (d *DCT) Apply64(dst []float32, src []float64) {
	src = src[:d.in]
	dst = dst[:d.out]
	for k := range dst {
		row := d.basis[k*d.in : (k+1)*d.in]
		var s float64
		for n, v := range src {
			s += row[n] * v
		}
		dst[k] = float32(s)
	}
}
