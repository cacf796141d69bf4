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
