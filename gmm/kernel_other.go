//go:build !amd64 || purego

package gmm

const useAVX2 = false

func kernel(p int, a, b, c []float64, ldc int) { kernelGo(p, a, b, c, ldc) }
