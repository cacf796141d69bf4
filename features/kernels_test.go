package features

import (
	"github.com/deep4deep/deep4deep/internal/simd"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// newExtractor is New(c) running kernel set ks.
func newExtractor(c Config, ks *kernelSet) (Extractor, error) {
	ex, err := New(c)
	if err != nil {
		return nil, err
	}
	if s, ok := ex.(interface{ setKernels(*kernelSet) }); ok {
		s.setKernels(ks)
	}
	return ex, nil
}

// forEachKernelSet runs f on the Go reference and on every assembly set of
// this architecture, as subtests named after the sets; a set this CPU lacks
// is skipped with a message naming it and the CPU features it needs.
func forEachKernelSet(t *testing.T, f func(t *testing.T, ks *kernelSet)) {
	simd.ForEach(t, &goKernels, archKernels(), func(ks *kernelSet) string { return ks.name }, f)
}

func TestDefaultKernels(t *testing.T) {
	want := &goKernels
	for _, a := range archKernels() {
		if a.Supported {
			want = a.Kernels
		}
	}
	if defaultKernels != want {
		t.Errorf("default kernel set %s, want %s (the last supported)", defaultKernels.name, want.name)
	}
	t.Logf("kernel set in use: %s", defaultKernels.name)
}

// TestKernelSetsEndToEnd runs the frame FFT against algo-fft and the fbank
// against the seed's reference outputs (bit for bit) with every kernel set.
func TestKernelSetsEndToEnd(t *testing.T) {
	forEachKernelSet(t, func(t *testing.T, ks *kernelSet) {
		frameFFTMatchesReference(t, ks)
		fbankMatchesSeed(t, ks)
		fbankParametersMatchSeed(t, ks)
	})
}

// randSplit returns n lane-groups of random split complex data.
func randSplit(r *rand.Rand, n int) (re, im []float64) {
	re, im = make([]float64, n*lanes), make([]float64, n*lanes)
	for i := range re {
		re[i], im[i] = r.NormFloat64(), r.NormFloat64()
	}
	return re, im
}

// closeSlices allows the last-bit differences of fused multiply-adds: the
// measured worst is ~1e-15 relative.
func closeSlices(t *testing.T, what string, got, want []float64) {
	t.Helper()
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12*(1+math.Abs(want[i])) {
			t.Fatalf("%s: index %d: %v, Go %v", what, i, got[i], want[i])
		}
	}
}

// TestKernelsMatchGo runs each kernel of every set against its Go version
// on random data, on the fbank's shapes and small ones.
func TestKernelsMatchGo(t *testing.T) {
	forEachKernelSet(t, func(t *testing.T, ks *kernelSet) {
		r := rand.New(rand.NewPCG(5, 6))
		// The CQT's log powers: bit-identical, on lengths around the
		// kernel's four lanes and on values from 0 to 1e30.
		for _, n := range []int{0, 1, 3, 4, 7, 8, 9, 301} {
			re, im := make([]float32, n), make([]float32, n)
			for i := range re {
				mag := math.Pow(10, 30*r.Float64()-15)
				re[i], im[i] = float32(mag*r.NormFloat64()), float32(mag*r.NormFloat64())
				if i%5 == 0 {
					re[i], im[i] = 0, 0
				}
			}
			want, got := make([]float32, n), make([]float32, n)
			logPowers(want, re, im, 3e-9)
			ks.logPowers(got, re, im, 3e-9)
			if !slices.Equal(got, want) {
				t.Fatalf("logPowers n %d: differs from the Go version", n)
			}
		}
		// The CQCC's projection: bit-identical, on the CQCC's shape (30
		// coefficients, 864 bins) and on ones with leftover frames and an
		// odd last coefficient.
		for _, tc := range []struct{ nceps, k, nf int }{{30, 864, 300}, {31, 864, 17}, {2, 1, 8}, {3, 5, 7}, {1, 9, 40}, {30, 864, 3}} {
			proj := make([]float64, tc.nceps*tc.k)
			logP := make([]float32, tc.k*tc.nf)
			for i := range proj {
				proj[i] = r.NormFloat64()
			}
			for i := range logP {
				logP[i] = float32(-20 * r.Float64())
			}
			want, got := make([]float64, tc.nceps*tc.nf), make([]float64, tc.nceps*tc.nf)
			projectBinsGo(want, proj, logP, tc.nceps, tc.k, tc.nf)
			ks.projectBins(got, proj, logP, tc.nceps, tc.k, tc.nf)
			if !slices.Equal(got, want) {
				t.Fatalf("projectBins %+v: differs from the Go version", tc)
			}
		}
		// The CQT's inverse-FFT stages: bit-identical (no fused multiply-adds
		// on either side), on the CQCC's 512-point size and others.
		for _, tc := range []struct{ n, h int }{{16, 8}, {512, 8}, {512, 64}, {512, 256}, {4096, 1024}, {64, 32}} {
			s := newSynth(tc.n)
			h := tc.h
			wr, wi := s.twr[h-1:2*h-1], s.twi[h-1:2*h-1]
			re, im := make([]float32, tc.n), make([]float32, tc.n)
			for i := range re {
				re[i], im[i] = float32(r.NormFloat64()), float32(r.NormFloat64())
			}
			re2, im2 := slices.Clone(re), slices.Clone(im)
			synthStageGo(re, im, wr, wi, h)
			ks.synthStage(re2, im2, wr, wi, h)
			if !slices.Equal(re, re2) || !slices.Equal(im, im2) {
				t.Fatalf("synthStage n %d h %d: differs from the Go version", tc.n, h)
			}
		}
		for _, h := range []int{1, 2, 4, 64, 128} {
			const n = 256
			re, im := randSplit(r, n)
			wr, wi := make([]float64, h), make([]float64, h)
			for j := range wr {
				wi[j], wr[j] = math.Sincos(-math.Pi * float64(j) / float64(h))
			}
			re2, im2 := append([]float64(nil), re...), append([]float64(nil), im...)
			difStageGo(re, im, wr, wi, h)
			ks.difStage(re2, im2, wr, wi, h)
			closeSlices(t, "difStage", re2, re)
			closeSlices(t, "difStage", im2, im)
		}
		for _, tc := range []struct{ n, flen int }{{2048, 400}, {4096, 400}, {512, 400}, {256, 256}, {64, 7}, {2048, 300}, {1024, 33}, {2048, 2048}} {
			f, err := newFrameFFT(tc.n, tc.flen)
			if err != nil {
				t.Fatal(err)
			}
			for _, tw := range f.r4Tw {
				g := len(tw) / 6
				re, im := randSplit(r, f.q)
				re2, im2 := append([]float64(nil), re...), append([]float64(nil), im...)
				dif4StageGo(re, im, tw, g)
				ks.dif4Stage(re2, im2, tw, g)
				closeSlices(t, "dif4Stage", re2, re)
				closeSlices(t, "dif4Stage", im2, im)
			}
			re, im := randSplit(r, f.q)
			re2, im2 := append([]float64(nil), re...), append([]float64(nil), im...)
			difLast2Go(re, im)
			ks.difLast2(re2, im2)
			closeSlices(t, "difLast2", re2, re)
			closeSlices(t, "difLast2", im2, im)
			if len(f.stageTw) == 0 && len(f.r4Tw) > 0 {
				xr, xi := randSplit(r, f.q)
				clear(xr[f.zlen*lanes:]) // zero past the frame, as power's input
				clear(xi[f.zlen*lanes:])
				x := make([]float64, f.inputLen())
				for n := 0; n < f.q; n++ {
					copy(x[2*n*lanes:], xr[n*lanes:(n+1)*lanes])
					copy(x[(2*n+1)*lanes:], xi[n*lanes:(n+1)*lanes])
				}
				for rr := range f.twist {
					sr, si := make([]float64, f.q*lanes), make([]float64, f.q*lanes)
					sr2, si2 := make([]float64, f.q*lanes), make([]float64, f.q*lanes)
					twistDif4Go(sr, si, x, f.twist[rr][0], f.twist[rr][1], f.r4Tw[0], f.q/4)
					ks.twistDif4(sr2, si2, x, f.twist[rr][0], f.twist[rr][1], f.r4Tw[0], f.q/4, f.j3, false)
					closeSlices(t, "twistDif4", sr2, sr)
					closeSlices(t, "twistDif4", si2, si)
					if rr == 0 { // the identity twist, skipped: bit-for-bit the same
						sr3, si3 := make([]float64, f.q*lanes), make([]float64, f.q*lanes)
						ks.twistDif4(sr3, si3, x, f.twist[rr][0], f.twist[rr][1], f.r4Tw[0], f.q/4, f.j3, true)
						for i := range sr {
							if sr3[i] != sr2[i] || si3[i] != si2[i] {
								t.Fatalf("plain twistDif4 index %d: %v%+vi, twisted by 1: %v%+vi", i, sr3[i], si3[i], sr2[i], si2[i])
							}
						}
					}
				}
			}
			x := make([]float64, f.inputLen())
			for i := range x {
				x[i] = r.NormFloat64()
			}
			for rr := range f.twist {
				sr, si := make([]float64, f.q*lanes), make([]float64, f.q*lanes)
				sr2, si2 := make([]float64, f.q*lanes), make([]float64, f.q*lanes)
				twistGo(sr, si, x, f.twist[rr][0], f.twist[rr][1])
				ks.twist(sr2, si2, x, f.twist[rr][0], f.twist[rr][1])
				closeSlices(t, "twist", sr2, sr)
				closeSlices(t, "twist", si2, si)
			}
		}
	})
}

// TestWindowKernels: windowing is a product per sample, so every set must
// match the Go reference exactly.
func TestWindowKernels(t *testing.T) {
	forEachKernelSet(t, func(t *testing.T, ks *kernelSet) {
		r := rand.New(rand.NewPCG(11, 12))
		for _, tc := range []struct{ flen, hop int }{{400, 80}, {401, 80}, {1, 1}, {7, 3}, {320, 160}, {403, 1}} {
			x := make([]float32, 3*tc.hop+tc.flen)
			for i := range x {
				x[i] = float32(r.NormFloat64())
			}
			w := Hamming(tc.flen)
			a, b := make([]float64, lanes*tc.flen), make([]float64, lanes*tc.flen)
			windowLanesGo(a, x, w, tc.hop)
			ks.window(b, x, w, tc.hop)
			for i := range a {
				if a[i] != b[i] {
					t.Fatalf("L=%d hop=%d index %d: %s %v, Go %v", tc.flen, tc.hop, i, ks.name, b[i], a[i])
				}
			}
		}
	})
}

func TestFilterKernels(t *testing.T) {
	forEachKernelSet(t, func(t *testing.T, ks *kernelSet) {
		r := rand.New(rand.NewPCG(13, 14))
		for _, fb := range []filterbank{melFilterbank(64, 2048, 16000), melFilterbank(40, 512, 16000), linearFilterbank(20, 512, 16000, 0, 8000)} {
			lf := fb.lanes()
			nb := 0
			for m := range lf.start {
				nb = max(nb, lf.start[m]+lf.n[m])
			}
			p := make([]float64, nb*lanes)
			for i := range p {
				p[i] = r.ExpFloat64()
			}
			a, b := make([]float64, len(fb)*lanes), make([]float64, len(fb)*lanes)
			lf.applyGo(a, p)
			ks.filter(lf, b, p)
			closeSlices(t, "filter", b, a)
		}
	})
}

// TestLog10Kernels checks every set against math.Log10 (rounded to
// float32), with eps for exact zeros. The assembly sets clamp subnormal
// inputs to 2⁻¹⁰²² (energies of float32 audio never come near them); the Go
// reference is exact there too.
func TestLog10Kernels(t *testing.T) {
	forEachKernelSet(t, func(t *testing.T, ks *kernelSet) {
		r := rand.New(rand.NewPCG(7, 8))
		src := []float64{0, 1, 10, 0.1, 2, math.Sqrt2, math.Nextafter(math.Sqrt2, 3), 0x1p-52, 1e-300, 5e-324, 1e300, 123.456}
		for len(src)%4 != 0 || len(src) < 4000 {
			src = append(src, math.Exp(r.Float64()*80-60))
		}
		dst := make([]float32, len(src))
		ks.log10(dst, src)
		worst := 0.0
		for i, v := range src {
			want := v
			if want == 0 {
				want = 0x1p-52
			}
			w := math.Log10(want)
			if ks != &goKernels {
				w = math.Log10(max(want, 0x1p-1022))
			}
			if d := math.Abs(float64(dst[i]) - w); d > 1e-6*math.Max(1, math.Abs(w)) {
				t.Fatalf("log10(%g) = %v, want %v", v, dst[i], w)
			}
			if dst[i] != float32(w) {
				worst++
			}
		}
		if worst > 0.001*float64(len(src)) {
			t.Errorf("%v of %d values differ from float32(math.Log10) in the last bit", worst, len(src))
		}
	})
}

// BenchmarkFbankKernels runs the fbank over the reference files with each
// kernel set this CPU supports, side by side (go test -bench FbankKernels
// -count 10; compare with benchstat or the minimum: on a loaded machine the
// minimum is the stable statistic). It replaces the old DEEP4DEEP_AB timing
// test.
func BenchmarkFbankKernels(b *testing.B) {
	b.Run(goKernels.name, func(b *testing.B) { benchFbank(b, &goKernels) })
	for _, a := range archKernels() {
		if a.Supported {
			b.Run(a.Kernels.name, func(b *testing.B) { benchFbank(b, a.Kernels) })
		}
	}
}
