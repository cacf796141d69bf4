package features

import (
	"errors"
	"fmt"
	"math"
)

// CQCCParams holds the constant-Q parameters of CQCC features (DESIGN §3);
// the cepstral count, deltas, sample rate and hop are Config's NumCeps,
// Deltas, SampleRate and HopSeconds.
type CQCCParams struct {
	// BinsPerOctave is B, the number of CQT bins per octave (96).
	BinsPerOctave int `json:"bins_per_octave"`
	// Octaves is the number of octaves below FMax: fmin = FMax/2^Octaves
	// (9, so fmin = 15.625 Hz at 16 kHz).
	Octaves int `json:"octaves"`
	// FMax is the top of the analysed band in Hz; 0 means SampleRate/2.
	FMax float64 `json:"fmax_hz,omitempty"`
	// UniformBins is d: the first octave is split into d uniform bins,
	// which sets the linear resampling step fmin/d (16).
	UniformBins int `json:"uniform_bins"`
}

// defaultCQCC is the ASVspoof 2017 baseline front-end (Todisco, Delgado,
// Evans 2016/2017): B = 96, fmax = fs/2, fmin = fmax/2⁹, d = 16, 30 static
// coefficients (c0…c29) with Δ and ΔΔ: 90 dimensions. The hop, 8 ms (128
// samples at 16 kHz), is the longest power-of-two hop whose frame rate
// (125 Hz) still exceeds the 115 Hz support of the top CQT bin, so the
// transform is sampled without aliasing (see cqt); it also gives
// power-of-two FFT lengths (a 16 ms hop would alias the top bins; a 4 ms hop
// doubles the cost for no new information).
func defaultCQCC() Config {
	return Config{Kind: CQCC, SampleRate: 16000, HopSeconds: 0.008, NumCeps: 30, Deltas: true,
		CQCC: &CQCCParams{BinsPerOctave: 96, Octaves: 9, UniformBins: 16}}
}

// cqccExtractor computes constant-Q cepstral coefficients:
//
//  1. the constant-Q transform c_k(t) (cqt), K = B·octaves bins;
//  2. log power ln(|c_k(t)|² + eps);
//  3. uniform resampling: the log-power spectrum, sampled at the geometric
//     frequencies f_k, is resampled onto the linear grid
//     f_l = fmin + l·Δf, Δf = fmin/d, l = 0…L−1, up to the top bin. The
//     value at f_l is a triangular-kernel average over the fractional bin
//     index u_l = B·log2(f_l/fmin): half-width max(1, s_l) bins where
//     s_l = B·log2(1 + Δf/f_l) is the spacing of the linear grid in bins,
//     i.e. linear interpolation where the linear grid is the finer one (above
//     ≈ B·fmin/(d·ln2) ≈ 135 Hz at the defaults) and an anti-aliasing
//     average where it is coarser (the role of the anti-aliasing filter of
//     a band-limited resampler, while keeping the map sparse);
//  4. the orthonormal DCT-II over the L resampled values, keeping
//     coefficients 0…NumCeps−1 (c0 included, as the baseline's 29 + c0);
//  5. optionally Δ and ΔΔ (appendDeltas1).
//
// Steps 3 and 4 are linear, so they are folded into one NumCeps × K
// matrix computed once (DCT · resampling): per frame, NumCeps·K
// multiply-adds instead of L resampled values and NumCeps·L for the DCT
// (L = 8118 at the defaults).
type cqccExtractor struct {
	ks     *kernelSet // its projectBins projects the log power
	t      *cqt
	nceps  int
	deltas bool
	proj   []float64 // nceps × K, row-major
	logP   []float32
	cepsT  []float64 // nceps × frames
	ceps   Matrix
}

func newCQCC(c Config) (Extractor, error) {
	p := c.CQCC
	if p == nil {
		return nil, errors.New("missing cqcc parameters")
	}
	hop := int(math.Round(c.HopSeconds * float64(c.SampleRate)))
	if math.Abs(float64(hop)-c.HopSeconds*float64(c.SampleRate)) > 1e-6 {
		return nil, fmt.Errorf("hop of %g s is not a whole number of samples at %d Hz", c.HopSeconds, c.SampleRate)
	}
	fmax := p.FMax
	if fmax == 0 {
		fmax = float64(c.SampleRate) / 2
	}
	t, err := newCQT(c.SampleRate, hop, p.BinsPerOctave, p.Octaves, fmax)
	if err != nil {
		return nil, err
	}
	if p.UniformBins < 1 {
		return nil, fmt.Errorf("%d uniform bins in the first octave (want ≥ 1)", p.UniformBins)
	}
	r := newUniformResampler(t, p.UniformBins)
	if c.NumCeps < 1 || c.NumCeps > r.n {
		return nil, fmt.Errorf("%d cepstra from %d resampled bins (want 1…bins)", c.NumCeps, r.n)
	}
	return &cqccExtractor{ks: defaultKernels, t: t, nceps: c.NumCeps, deltas: c.Deltas, proj: r.dctProjection(c.NumCeps)}, nil
}

func (e *cqccExtractor) Dim() int {
	if e.deltas {
		return 3 * e.nceps
	}
	return e.nceps
}

func (e *cqccExtractor) Extract(dst *Matrix, x []float32) error {
	if dst == nil {
		return errors.New("cqcc: nil destination matrix")
	}
	logP, nf, err := e.t.logPower(e.logP, x)
	if err != nil {
		return fmt.Errorf("cqcc: %w", err)
	}
	e.logP = logP
	out := dst
	if e.deltas {
		out = &e.ceps
	}
	out.Resize(nf, e.nceps)
	if nf == 0 {
		if e.deltas {
			dst.Resize(0, e.Dim())
		}
		return nil
	}
	k := e.t.k
	e.cepsT = cqtGrow(e.cepsT, e.nceps*nf)
	e.ks.projectBins(e.cepsT, e.proj, logP, e.nceps, k, nf)
	for m := 0; m < nf; m++ {
		r := out.Data[m*e.nceps : (m+1)*e.nceps]
		for n := range r {
			r[n] = float32(e.cepsT[n*nf+m])
		}
	}
	if e.deltas {
		appendDeltas1(dst, out)
	}
	return nil
}

// uniformResampler maps a log-power CQ spectrum (K geometric bins) to L
// uniformly spaced frequencies (see cqccExtractor, step 3): row l of the
// sparse map has weights w[l] on bins first[l], first[l]+1, ….
type uniformResampler struct {
	n     int // L
	first []int
	w     [][]float64
}

func newUniformResampler(t *cqt, d int) *uniformResampler {
	B := float64(t.binsOct)
	df := t.fmin / float64(d)
	ftop := t.freqs[t.k-1]
	n := int(math.Floor((ftop-t.fmin)/df+1e-9)) + 1
	r := &uniformResampler{n: n, first: make([]int, n), w: make([][]float64, n)}
	for l := 0; l < n; l++ {
		f := t.fmin + float64(l)*df
		u := B * math.Log2(f/t.fmin)
		h := max(1, B*math.Log2(1+df/f))
		lo := max(0, int(math.Ceil(u-h)))
		hi := min(t.k-1, int(math.Floor(u+h)))
		var w []float64
		s := 0.0
		for j := lo; j <= hi; j++ {
			v := 1 - math.Abs(float64(j)-u)/h
			if v < 0 {
				v = 0
			}
			w = append(w, v)
			s += v
		}
		for i := range w {
			w[i] /= s
		}
		r.first[l], r.w[l] = lo, w
	}
	return r
}

// apply sets dst[l] (length L) to the resampled value of logP (length K).
func (r *uniformResampler) apply(dst []float64, logP []float64) {
	for l, w := range r.w {
		s := 0.0
		for i, v := range w {
			s += v * logP[r.first[l]+i]
		}
		dst[l] = s
	}
}

// dctProjection returns the nceps × K matrix D·R: the orthonormal DCT-II
// over the L resampled points (as NewDCT(L, nceps)) composed with the
// resampling map R.
func (r *uniformResampler) dctProjection(nceps int) []float64 {
	k := 0
	for l := range r.w {
		k = max(k, r.first[l]+len(r.w[l]))
	}
	proj := make([]float64, nceps*k)
	L := float64(r.n)
	for n := 0; n < nceps; n++ {
		s := math.Sqrt(2 / L)
		if n == 0 {
			s = math.Sqrt(1 / L)
		}
		row := proj[n*k : (n+1)*k]
		for l, w := range r.w {
			c := s * math.Cos(math.Pi*float64(n)*float64(2*l+1)/(2*L))
			for i, v := range w {
				row[r.first[l]+i] += c * v
			}
		}
	}
	return proj
}

// appendDeltas1 sets dst to [c | Δc | ΔΔc] with the 3-frame regression
//
//	Δc_t = (c_{t+1} − c_{t−1}) / 2,
//
// frames beyond either end replaced by the first or last frame, and ΔΔ the
// same applied to Δ. This is HTK's regression delta with N = 1, and, up to
// the factor ½, the deltas(x, 3) used by the ASVspoof CQCC and LFCC
// baselines; AppendDeltas (N = 2) spans twice as many frames. dst must not
// be src.
func appendDeltas1(dst, src *Matrix) {
	n, d := src.Rows, src.Cols
	dst.Resize(n, 3*d)
	for t := 0; t < n; t++ {
		copy(dst.Data[t*3*d:t*3*d+d], src.Data[t*d:(t+1)*d])
	}
	for pass := 1; pass <= 2; pass++ {
		from, to := (pass-1)*d, pass*d
		for t := 0; t < n; t++ {
			next := dst.Data[min(t+1, n-1)*3*d+from:]
			prev := dst.Data[max(t-1, 0)*3*d+from:]
			out := dst.Data[t*3*d+to : t*3*d+to+d]
			for j := range out {
				out[j] = (next[j] - prev[j]) / 2
			}
		}
	}
}

// projectBinsGo sets out[n*nf+m] = Σ_b proj[n*k+b]·logP[b*nf+m] (a GEMM
// of the nceps × k projection with the bin-major log power), each sum taken
// over b in order from 0; the kernels' projectBins give the same sums.
func projectBinsGo(out, proj []float64, logP []float32, nceps, k, nf int) {
	projectRange(out, proj, logP, k, nf, 0, nceps, 0, nf)
}

// projectRange is projectBinsGo for coefficients n0 ≤ n < n1 and frames
// m0 ≤ m < m1, four frames at a time. Each product is rounded before it is
// added (the float64 conversion), so that no build fuses them into a
// multiply-add and the assembly, which does not either, matches bit for bit.
func projectRange(out, proj []float64, logP []float32, k, nf, n0, n1, m0, m1 int) {
	for n := n0; n < n1; n++ {
		p := proj[n*k : (n+1)*k]
		o := out[n*nf : (n+1)*nf]
		m := m0
		for ; m+4 <= m1; m += 4 {
			var a0, a1, a2, a3 float64
			for b, w := range p {
				l := logP[b*nf+m : b*nf+m+4]
				a0 += float64(w * float64(l[0]))
				a1 += float64(w * float64(l[1]))
				a2 += float64(w * float64(l[2]))
				a3 += float64(w * float64(l[3]))
			}
			o[m], o[m+1], o[m+2], o[m+3] = a0, a1, a2, a3
		}
		for ; m < m1; m++ {
			var a float64
			for b, w := range p {
				a += float64(w * float64(logP[b*nf+m]))
			}
			o[m] = a
		}
	}
}
