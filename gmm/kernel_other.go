//go:build !amd64 || purego

package gmm

const (
	useAVX2   = false
	useAVX512 = false
)

func kernel(p int, a, b, c []float64, ldc int) { kernelGo(p, a, b, c, ldc) }

func kernel2x2(p int, a0, a1, b0, b1, c []float64, ldc int) {
	kernelGo(p, a0, b0, c, ldc)
	kernelGo(p, a0, b1, c[nr:], ldc)
	kernelGo(p, a1, b0, c[mr*ldc:], ldc)
	kernelGo(p, a1, b1, c[mr*ldc+nr:], ldc)
}
