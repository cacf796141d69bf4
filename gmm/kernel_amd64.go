//go:build amd64 && !purego

package gmm

import "golang.org/x/sys/cpu"

var useAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// kern4x8AVX2 is kernelGo in AVX2+FMA assembly. It requires len(a) ≥ 4p,
// len(b) ≥ 8p and a 4 × 8 tile of c at stride ldc; kernel checks that.
//
//go:noescape
func kern4x8AVX2(p int, a, b, c *float64, ldc int)

func kernel(p int, a, b, c []float64, ldc int) {
	if !useAVX2 || p == 0 {
		kernelGo(p, a, b, c, ldc)
		return
	}
	if len(a) < p*mr || len(b) < p*nr || len(c) < (mr-1)*ldc+nr || ldc < nr {
		panic("gmm: kernel operands too short")
	}
	kern4x8AVX2(p, &a[0], &b[0], &c[0], ldc)
}
