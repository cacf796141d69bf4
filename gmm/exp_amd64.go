//go:build amd64 && !purego && !d4dcheck

package gmm

import "math"

const expTabLen = 4 * (5 + 12)

// expTab holds the constants of expSubAVX2, each replicated over four lanes.
var expTab = func() (t [expTabLen]uint64) {
	set := func(i int, v uint64) {
		for l := 0; l < 4; l++ {
			t[4*i+l] = v
		}
	}
	set(0, math.Float64bits(-700))
	set(1, math.Float64bits(1.4426950408889634))
	set(2, math.Float64bits(6.93147180369123816490e-01))
	set(3, math.Float64bits(1.90821492927058770002e-10))
	set(4, 1023)
	f := 1.0
	for i := 1; i <= 11; i++ {
		f *= float64(i)
	}
	for i := 11; i >= 0; i-- { // 1/11!, …, 1/0!
		set(5+11-i, math.Float64bits(1/f))
		if i > 0 {
			f /= float64(i)
		}
	}
	return t
}()

//go:noescape
func expSubAVX2(x []float64, mx float64, tab *[expTabLen]uint64) float64

// expSubAVX2s is expSubGo with the assembly on the multiple of 4 of x and
// Go on the rest.
func expSubAVX2s(x []float64, mx float64) float64 {
	n4 := len(x) &^ 3
	s := 0.0
	if n4 > 0 {
		s = expSubAVX2(x[:n4], mx, &expTab)
	} else {
		n4 = 0
	}
	for i := n4; i < len(x); i++ {
		e := expNeg(x[i] - mx)
		x[i] = e
		s += e
	}
	return s
}
