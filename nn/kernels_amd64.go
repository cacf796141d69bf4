//go:build amd64 && !purego

package nn

import "golang.org/x/sys/cpu"

// Assembly kernels (kernels_amd64.s), chosen at start-up by CPU feature as
// hash/crc32 does; the pure-Go kernels serve every other CPU (and the purego
// build tag).

//go:noescape
func gemm4x24AVX2(k int, a, b *float32, offs *int, c *float32, ldc int)

//go:noescape
func dot4x3AVX2(l int, a *float32, lda int, b *float32, offs *int, out *float32)

//go:noescape
func gemm4x24ReLUAVX2(k int, a, b *float32, offs *int, c *float32, ldc int, ss, mask *float32)

var avx2Kernels = kernelSet{name: "avx2", gemm4x24: gemm4x24AVX2, gemm4x24ReLU: gemm4x24ReLUAVX2, dot4x3: dot4x3AVX2}

var hasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

func bestKernels() kernelSet {
	if hasAVX2 {
		return avx2Kernels
	}
	return goKernels
}

func allKernels() []kernelSet {
	if hasAVX2 {
		return []kernelSet{goKernels, avx2Kernels}
	}
	return []kernelSet{goKernels}
}
