//go:build !amd64 || purego

package gmm

// expSub sets x[i] = exp(x[i] − mx) (see expNeg) and returns their sum.
func expSub(x []float64, mx float64) float64 {
	s := 0.0
	for i, v := range x {
		e := expNeg(v - mx)
		x[i] = e
		s += e
	}
	return s
}
