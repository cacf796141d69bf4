//go:build amd64 && !purego && !d4dcheck

package gmm

import "golang.org/x/sys/cpu"

// kernel_amd64.s is generated with avo from internal/asmgen (its own
// module, so deep4deep does not depend on avo): the unrolled register tiles
// are written there once, as Go loops over rows and columns, with the
// registers pinned to the schedule of the hand-written kernels they
// replaced (DESIGN §8.1).
//
//go:generate sh -c "cd ../internal/asmgen && go run . -out ../../gmm/kernel_amd64.s"

// avx2Kernels is the 4 × 8 kernel and the exponential in AVX2+FMA
// assembly; avx512Kernels adds the 8 × 16 AVX-512 kernel for 2 × 2 panel
// pairs. Both differ from the Go reference only in the last bits (fused
// multiply-adds).
var (
	avx2Kernels   = kernelSet{name: "avx2", kernel: kernelAVX2, kernel2x2: kernel2x2AVX2, expSub: expSubAVX2s}
	avx512Kernels = kernelSet{name: "avx512", kernel: kernelAVX2, kernel2x2: kernel2x2AVX512, expSub: expSubAVX2s}
)

// archKernels lists the assembly kernel sets, fastest last, each with
// whether this CPU can run it.
func archKernels() []archSet {
	avx2 := cpu.X86.HasAVX2 && cpu.X86.HasFMA
	return []archSet{
		{Kernels: &avx2Kernels, Supported: avx2, Needs: "AVX2+FMA"},
		{Kernels: &avx512Kernels, Supported: avx2 && cpu.X86.HasAVX512F, Needs: "AVX2+FMA and AVX-512F"},
	}
}

// kern4x8AVX2 is kernelGo in AVX2+FMA assembly. It requires len(a) ≥ 4p,
// len(b) ≥ 8p and a 4 × 8 tile of c at stride ldc; kernel checks that.
//
//go:noescape
func kern4x8AVX2(p int, a, b, c []float64, ldc int)

// kern8x16AVX512 computes an 8 × 16 tile from two A panels (rows 0–3,
// 4–7) and two B panels (columns 0–7, 8–15); kernel2x2 checks the lengths.
//
//go:noescape
func kern8x16AVX512(p int, a0, a1, b0, b1, c []float64, ldc int)

// kernelAVX2 is kernelGo through kern4x8AVX2, with its length checks.
func kernelAVX2(p int, a, b, c []float64, ldc int) {
	if p == 0 {
		kernelGo(p, a, b, c, ldc)
		return
	}
	if len(a) < p*mr || len(b) < p*nr || len(c) < (mr-1)*ldc+nr || ldc < nr {
		panic("gmm: kernel operands too short")
	}
	kern4x8AVX2(p, a, b, c, ldc)
}

// kernel2x2AVX2 is four kernelAVX2 calls on the 2 × 2 panel pairs
// (a0|a1) × (b0|b1), the C tile being 2mr × 2nr.
func kernel2x2AVX2(p int, a0, a1, b0, b1, c []float64, ldc int) {
	kernelAVX2(p, a0, b0, c, ldc)
	kernelAVX2(p, a0, b1, c[nr:], ldc)
	kernelAVX2(p, a1, b0, c[mr*ldc:], ldc)
	kernelAVX2(p, a1, b1, c[mr*ldc+nr:], ldc)
}

// kernel2x2AVX512 is kernel2x2AVX2 in one 8 × 16 AVX-512 tile.
func kernel2x2AVX512(p int, a0, a1, b0, b1, c []float64, ldc int) {
	if p == 0 {
		return
	}
	if len(a0) < p*mr || len(a1) < p*mr || len(b0) < p*nr || len(b1) < p*nr ||
		len(c) < (2*mr-1)*ldc+2*nr || ldc < 2*nr {
		panic("gmm: kernel operands too short")
	}
	kern8x16AVX512(p, a0, a1, b0, b1, c, ldc)
}
