//go:build amd64 && !purego && !d4dcheck

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

//go:noescape
func gemm4x48AVX512(k int, a, b *float32, offs *int, c *float32, ldc int)

//go:noescape
func gemm4x48ReLUAVX512(k int, a, b *float32, offs *int, c *float32, ldc int, ss, mask *float32)

//go:noescape
func dot4x6AVX512(l int, a *float32, lda int, b *float32, offs *int, out *float32)

//go:noescape
func bnStatsAVX2(y, m *float32, n int, first float32, out *float32)

//go:noescape
func bnApplyAVX2(dst, y, m *float32, n int, scale, shift float32)

//go:noescape
func bnGrad1AVX2(gr, da, a, y *float32, n int, mf float32, out *float32)

//go:noescape
func bnGrad2AVX2(gr, y, m *float32, n int, alpha, beta, gam float32, out *float32)

//go:noescape
func adamAVX2(p, gr, m, v *float32, n int, c *float32)

//go:noescape
func pool2x1AVX2(dst, src *float32, rows, wp int)

//go:noescape
func pool2x2AVX2(dst, src *float32, rows, wout, wpi, wpo int)

//go:noescape
func pool2x1ArgAVX2(dst *float32, arg *int32, src *float32, rows, w, wp, q0 int)

//go:noescape
func pool2x2ArgAVX2(dst *float32, arg *int32, src *float32, rows, w, wpi, wpo, q0 int)

var avx2Elem = elemKernels{bnStatsAVX2, bnApplyAVX2, bnGrad1AVX2, bnGrad2AVX2, adamAVX2, pool2x1AVX2, pool2x2AVX2, pool2x1ArgAVX2, pool2x2ArgAVX2}

var avx2Kernels = kernelSet{name: "avx2", nr: 24, gemm: gemm4x24AVX2, gemmReLU: gemm4x24ReLUAVX2, dc: 3, dot: dot4x3AVX2, elem: avx2Elem}

var avx512Kernels = kernelSet{name: "avx512", nr: 48, gemm: gemm4x48AVX512, gemmReLU: gemm4x48ReLUAVX512, dc: 6, dot: dot4x6AVX512, elem: avx2Elem}

// archKernels lists the assembly kernel sets, fastest last, each with
// whether this CPU can run it and the CPU features it needs (for the tests'
// skip messages), as features and gmm do.
func archKernels() []archSet {
	avx2 := cpu.X86.HasAVX2 && cpu.X86.HasFMA
	return []archSet{
		{Kernels: avx2Kernels, Supported: avx2, Needs: "AVX2+FMA"},
		{Kernels: avx512Kernels, Supported: avx2 && cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL, Needs: "AVX2+FMA, AVX-512F and AVX-512VL"},
	}
}
