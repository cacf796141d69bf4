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

