package features

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestDifStageAVX2MatchesGo(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2+FMA")
	}
	r := rand.New(rand.NewPCG(5, 6))
	for _, h := range []int{1, 2, 4, 64, 128} {
		n := 256
		re := make([]float64, n*lanes)
		im := make([]float64, n*lanes)
		for i := range re {
			re[i], im[i] = r.NormFloat64(), r.NormFloat64()
		}
		wr := make([]float64, h)
		wi := make([]float64, h)
		for j := range wr {
			wi[j], wr[j] = math.Sincos(-math.Pi * float64(j) / float64(h))
		}
		re2 := append([]float64(nil), re...)
		im2 := append([]float64(nil), im...)
		difStageGo(re, im, wr, wi, h)
		difStageAVX2(re2, im2, wr, wi, h)
		for i := range re {
			if math.Abs(re[i]-re2[i]) > 1e-13 || math.Abs(im[i]-im2[i]) > 1e-13 {
				t.Fatalf("h=%d index %d: Go %v%+vi, AVX2 %v%+vi", h, i, re[i], im[i], re2[i], im2[i])
			}
		}
	}
}

func TestLog10AVX2(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2+FMA")
	}
	r := rand.New(rand.NewPCG(7, 8))
	src := []float64{0, 1, 10, 0.1, 2, math.Sqrt2, math.Nextafter(math.Sqrt2, 3), 0x1p-52, 1e-300, 5e-324, 1e300, 123.456}
	for len(src)%4 != 0 || len(src) < 4000 {
		src = append(src, math.Exp(r.Float64()*80-60))
	}
	dst := make([]float32, len(src))
	log10AVX2(dst, src)
	worst := 0.0
	for i, v := range src {
		want := v
		if want == 0 {
			want = 0x1p-52
		}
		w := math.Log10(max(want, 0x1p-1022))
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
}

// BenchmarkFbankKernels runs BenchmarkFbank with the Go and the AVX2
// kernels, side by side.
func BenchmarkFbankKernels(b *testing.B) {
	a2 := useAVX2
	defer func() { useAVX2 = a2 }()
	b.Run("go", func(b *testing.B) { useAVX2 = false; BenchmarkFbank(b) })
	if a2 {
		b.Run("avx2", func(b *testing.B) { useAVX2 = true; BenchmarkFbank(b) })
	}
}

// randSplit returns n lane-groups of random split complex data.
func randSplit(r *rand.Rand, n int) (re, im []float64) {
	re, im = make([]float64, n*lanes), make([]float64, n*lanes)
	for i := range re {
		re[i], im[i] = r.NormFloat64(), r.NormFloat64()
	}
	return re, im
}

func closeSlices(t *testing.T, what string, got, want []float64) {
	t.Helper()
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12*(1+math.Abs(want[i])) {
			t.Fatalf("%s: index %d: %v, Go %v", what, i, got[i], want[i])
		}
	}
}

// TestAsmKernelsMatchGo runs each assembly kernel this CPU has against its
// Go version on random data, on the fbank's shapes and small ones.
func TestAsmKernelsMatchGo(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2+FMA")
	}
	r := rand.New(rand.NewPCG(9, 10))
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
			dif4StageAVX2(re2, im2, tw, g)
			closeSlices(t, "dif4StageAVX2", re2, re)
			closeSlices(t, "dif4StageAVX2", im2, im)
		}
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
				twistDif4AVX2(sr2, si2, x, f.twist[rr][0], f.twist[rr][1], f.r4Tw[0], f.q/4, f.j3, 0)
				closeSlices(t, "twistDif4AVX2", sr2, sr)
				closeSlices(t, "twistDif4AVX2", si2, si)
				if rr == 0 { // the identity twist, skipped: bit-for-bit the same
					sr3, si3 := make([]float64, f.q*lanes), make([]float64, f.q*lanes)
					twistDif4AVX2(sr3, si3, x, f.twist[rr][0], f.twist[rr][1], f.r4Tw[0], f.q/4, f.j3, 1)
					for i := range sr {
						if sr3[i] != sr2[i] || si3[i] != si2[i] {
							t.Fatalf("plain twistDif4AVX2 index %d: %v%+vi, twisted by 1: %v%+vi", i, sr3[i], si3[i], sr2[i], si2[i])
						}
					}
				}
			}
		}
	}
}

func TestWindowAVX2MatchesGo(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2+FMA")
	}
	r := rand.New(rand.NewPCG(11, 12))
	for _, tc := range []struct{ flen, hop int }{{400, 80}, {401, 80}, {1, 1}, {7, 3}, {320, 160}, {403, 1}} {
		x := make([]float32, 3*tc.hop+tc.flen)
		for i := range x {
			x[i] = float32(r.NormFloat64())
		}
		w := Hamming(tc.flen)
		a, b := make([]float64, lanes*tc.flen), make([]float64, lanes*tc.flen)
		windowLanesGo(a, x, w, tc.hop)
		windowLanes(b, x, w, tc.hop)
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("L=%d hop=%d index %d: AVX2 %v, Go %v", tc.flen, tc.hop, i, b[i], a[i])
			}
		}
	}
}

func TestFilterAVX2MatchesGo(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2+FMA")
	}
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
		filterAVX2(b, p, lf.w, lf.start, lf.n)
		closeSlices(t, "filterAVX2", b, a)
	}
}
