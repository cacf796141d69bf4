package nn

import (
	"unsafe"

	"github.com/deep4deep/deep4deep/internal/simd"
)

// The engine's arithmetic rests on two register-tiled kernels (and the
// element-wise batch-norm and Adam passes of elem.go); everything else
// (layout, padding, parallel split) is arranged so that convolutions and
// dense layers are expressed through them.
//
// gemm4x24 computes one 4×24 tile of C = A·B where the rows of B are given by
// an offset table (an implicit im2col: for a 3×3 SAME convolution on a
// zero-padded, row-flattened map, row k = (ci, dy, dx) of B is the input
// channel ci shifted by (dy-1)·rowstride + (dx-1)):
//
//	c[r·ldc + j] = Σ_{k<K} a[4k + r] · b[offs[k] + j],  r < 4, j < 24
//
// a is packed: the 4 values of column k are contiguous.
//
// gemm4x24ReLU is gemm4x24 followed by an affine map, ReLU and a column
// mask (the fused inference-mode batch norm, ReLU and zero padding):
//
//	c[r·ldc + j] = max(acc[r][j]·ss[r] + ss[4+r], 0) · mask[j]
//
// dot4x3 computes a 4×3 tile of the product of two sets of rows (used for
// the weight gradients, a reduction over batch positions):
//
//	out[3r + j] += Σ_{i<l} a[r·lda + i] · b[offs[j] + i],  r < 4, j < 3
//
// with l a multiple of 16. The AVX-512 set has a 4×6 dot tile (dc = 6,
// out[6r + j]); offset tables are padded to a multiple of 6.
//
// Pointers and offsets are in float32 elements; the callers guarantee that
// every address touched is inside its buffer (offsets may be negative).
//
// A kernel set may use a wider tile (nr columns instead of 24: the AVX-512
// kernels do 4×48, over 16 lanes); every layout rounds its column counts to
// a multiple of maxNR, and dot4x3 lengths to a multiple of 16.
type kernelSet struct {
	name     string
	nr       int // columns per GEMM tile
	gemm     func(k int, a, b *float32, offs *int, c *float32, ldc int)
	gemmReLU func(k int, a, b *float32, offs *int, c *float32, ldc int, ss, mask *float32)
	dc       int // b rows per dot tile (3, or 6 for AVX-512)
	dot      func(l int, a *float32, lda int, b *float32, offs *int, out *float32)
	elem     elemKernels
}

// maxNR is the widest GEMM tile of any kernel set.
const maxNR = 48

var goKernels = kernelSet{name: "go", nr: 24, gemm: gemm4x24Go, gemmReLU: gemm4x24ReLUGo, dc: 3, dot: dot4x3Go, elem: goElem}

func at(p *float32, i int) *float32 {
	return (*float32)(unsafe.Add(unsafe.Pointer(p), uintptr(i)*4))
}

// gemm4x24Go is the portable kernel (and the reference for the assembly).
func gemm4x24Go(k int, a, b *float32, offs *int, c *float32, ldc int) {
	var acc [4][24]float32
	as := unsafe.Slice(a, 4*k)
	os := unsafe.Slice(offs, k)
	for kk := 0; kk < k; kk++ {
		row := (*[24]float32)(unsafe.Pointer(at(b, os[kk])))
		a0, a1, a2, a3 := as[4*kk], as[4*kk+1], as[4*kk+2], as[4*kk+3]
		for j, v := range row {
			acc[0][j] += a0 * v
			acc[1][j] += a1 * v
			acc[2][j] += a2 * v
			acc[3][j] += a3 * v
		}
	}
	for r := 0; r < 4; r++ {
		*(*[24]float32)(unsafe.Pointer(at(c, r*ldc))) = acc[r]
	}
}

// gemm4x24ReLUGo is the portable fused kernel.
func gemm4x24ReLUGo(k int, a, b *float32, offs *int, c *float32, ldc int, ss, mask *float32) {
	gemm4x24Go(k, a, b, offs, c, ldc)
	s := unsafe.Slice(ss, 8)
	m := (*[24]float32)(unsafe.Pointer(mask))
	for r := 0; r < 4; r++ {
		row := (*[24]float32)(unsafe.Pointer(at(c, r*ldc)))
		for j, v := range row {
			row[j] = max(v*s[r]+s[4+r], 0) * m[j]
		}
	}
}

// dot4x3Go is the portable kernel (and the reference for the assembly).
func dot4x3Go(l int, a *float32, lda int, b *float32, offs *int, out *float32) {
	os := unsafe.Slice(offs, 3)
	o := unsafe.Slice(out, 12)
	for r := 0; r < 4; r++ {
		ar := unsafe.Slice(at(a, r*lda), l)
		for j := 0; j < 3; j++ {
			br := unsafe.Slice(at(b, os[j]), l)
			var s0, s1, s2, s3 float32
			for i := 0; i+4 <= l; i += 4 {
				s0 += ar[i] * br[i]
				s1 += ar[i+1] * br[i+1]
				s2 += ar[i+2] * br[i+2]
				s3 += ar[i+3] * br[i+3]
			}
			o[3*r+j] += (s0 + s1) + (s2 + s3)
		}
	}
}

// archSet is an assembly kernel set with whether this CPU supports it
// (internal/simd: the project's one dispatch pattern).
type archSet = simd.Set[kernelSet]

// bestKernels is the kernel set nets use unless told otherwise: the last
// (fastest) supported assembly set, or the Go kernels.
func bestKernels() kernelSet { return simd.Best(goKernels, archKernels()) }

// allKernels lists the kernel sets this CPU can run, the Go reference
// first, for tests and benchmarks; TestKernelSetsOnThisCPU names the ones
// it cannot.
func allKernels() []kernelSet { return simd.Runnable(goKernels, archKernels()) }
