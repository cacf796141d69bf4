package gmm

import "github.com/deep4deep/deep4deep/internal/simd"

// The E-step and the M-step of EM are both dense matrix products (see
// estep.go). They run through one packed micro-kernel, in the style of
// GotoBLAS: the left operand is packed into panels of mr rows and the right
// operand into panels of nr columns, both stored p-major, so that the kernel
// reads both panels sequentially:
//
//	C[i, j] += Σ_q a[q·mr + i] · b[q·nr + j]   for i < mr, j < nr
//
// where C is an mr × nr tile of a row-major matrix with leading dimension ldc.
// On amd64 with AVX2 and FMA the kernel is assembly (kernel_amd64.s), and
// with AVX-512 pairs of panels go through an 8 × 16 kernel
// (kernel512_amd64.s). It was written here rather than taken from gonum
// because gonum's Dgemm has no AVX2/FMA path and these two products are
// where nearly all of EM's time goes (package nn has its own float32
// kernels, but gmm must not depend on it).
const (
	mr = 4 // rows of a micro-tile
	nr = 8 // columns of a micro-tile
)

// kernelSet is one implementation of the micro-kernels and of the
// exponential of the E-step. The pattern is the one of hash/crc32 and of
// packages nn and features: goKernels is the plain-Go reference; the
// assembly sets of the architecture (archKernels) are values of the same
// type; the best set the CPU supports is chosen once at start-up
// (defaultKernels) and held by each goroutine's work space; tests run every
// supported set against the reference and skip, by name, the sets the CPU
// lacks. -tags purego and -tags d4dcheck build no assembly at all, so the
// bounds-checked Go reference runs (d4dcheck: for debugging).
type kernelSet struct {
	name string
	// kernel: C[0:mr, 0:nr] += Aᵀ·B over p packed steps (kernelGo).
	kernel func(p int, a, b, c []float64, ldc int)
	// kernel2x2: kernel on the 2 × 2 panel pairs (a0|a1) × (b0|b1), the C
	// tile being 2mr × 2nr (kernel2x2Go).
	kernel2x2 func(p int, a0, a1, b0, b1, c []float64, ldc int)
	// expSub sets x[i] = exp(x[i] − mx) and returns their sum (expSubGo).
	expSub func(x []float64, mx float64) float64
}

// goKernels is the reference: plain Go, on every architecture.
var goKernels = kernelSet{name: "go", kernel: kernelGo, kernel2x2: kernel2x2Go, expSub: expSubGo}

// archSet is an assembly kernel set with whether this CPU supports it
// (internal/simd: the project's one dispatch pattern).
type archSet = simd.Set[*kernelSet]

// defaultKernels is the kernel set EM and scoring use: chosen once, at
// start-up, by CPU feature.
var defaultKernels = bestKernels()

// bestKernels returns the last (fastest) supported assembly set, or the Go
// reference.
func bestKernels() *kernelSet { return simd.Best(&goKernels, archKernels()) }

// kernel2x2Go is four kernelGo calls.
func kernel2x2Go(p int, a0, a1, b0, b1, c []float64, ldc int) {
	kernelGo(p, a0, b0, c, ldc)
	kernelGo(p, a0, b1, c[nr:], ldc)
	kernelGo(p, a1, b0, c[mr*ldc:], ldc)
	kernelGo(p, a1, b1, c[mr*ldc+nr:], ldc)
}

// expSubGo sets x[i] = exp(x[i] − mx) (see expNeg) and returns their sum.
func expSubGo(x []float64, mx float64) float64 {
	s := 0.0
	for i, v := range x {
		e := expNeg(v - mx)
		x[i] = e
		s += e
	}
	return s
}

// kernelGo is the portable micro-kernel: C[0:mr, 0:nr] += Aᵀ·B over p
// packed steps. It is also the reference the assembly kernel is tested
// against.
func kernelGo(p int, a, b, c []float64, ldc int) {
	a = a[:p*mr]
	b = b[:p*nr]
	for i := 0; i < mr; i++ {
		row := c[i*ldc : i*ldc+nr]
		var c0, c1, c2, c3, c4, c5, c6, c7 float64
		for q := 0; q < p; q++ {
			ai := a[q*mr+i]
			bq := b[q*nr : q*nr+nr]
			c0 += ai * bq[0]
			c1 += ai * bq[1]
			c2 += ai * bq[2]
			c3 += ai * bq[3]
			c4 += ai * bq[4]
			c5 += ai * bq[5]
			c6 += ai * bq[6]
			c7 += ai * bq[7]
		}
		row[0] += c0
		row[1] += c1
		row[2] += c2
		row[3] += c3
		row[4] += c4
		row[5] += c5
		row[6] += c6
		row[7] += c7
	}
}

// gemmPacked computes C += A·B for A packed as m/mr panels of (p × mr) and B
// packed as n/nr panels of (p × nr); m and n are multiples of mr and nr. C is
// row-major m × n with leading dimension ldc. It walks C in 2mr × 2nr tiles
// (one AVX-512 kernel call, or four 4 × 8 calls), then the odd edge panels;
// for each pair of B panels (2·p·nr values, hot in L1/L2) the A panels
// stream through.
func gemmPacked(ks *kernelSet, m, n, p int, a, b, c []float64, ldc int) {
	if p == 0 {
		return
	}
	pa, pb := p*mr, p*nr
	apan := func(i int) []float64 { return a[(i/mr)*pa : (i/mr)*pa+pa] }
	bpan := func(j int) []float64 { return b[(j/nr)*pb : (j/nr)*pb+pb] }
	m2, n2 := m/(2*mr)*(2*mr), n/(2*nr)*(2*nr)
	for j := 0; j < n2; j += 2 * nr {
		b0, b1 := bpan(j), bpan(j+nr)
		for i := 0; i < m2; i += 2 * mr {
			ks.kernel2x2(p, apan(i), apan(i+mr), b0, b1, c[i*ldc+j:], ldc)
		}
		for i := m2; i < m; i += mr {
			ks.kernel(p, apan(i), b0, c[i*ldc+j:], ldc)
			ks.kernel(p, apan(i), b1, c[i*ldc+j+nr:], ldc)
		}
	}
	for j := n2; j < n; j += nr {
		for i := 0; i < m; i += mr {
			ks.kernel(p, apan(i), bpan(j), c[i*ldc+j:], ldc)
		}
	}
}
