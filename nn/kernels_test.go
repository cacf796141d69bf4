package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestKernelsAgree runs every kernel set available on this CPU (assembly and
// pure Go) on the same random problems and compares with a float64 reference.
func TestKernelsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	buf := make([]float32, 4000)
	for i := range buf {
		buf[i] = float32(rng.NormFloat64())
	}
	for _, ks := range allKernels() {
		for _, k := range []int{0, 1, 2, 9, 37, 288} {
			a := make([]float32, 4*k+1)
			offs := make([]int, k)
			for i := range a {
				a[i] = float32(rng.NormFloat64())
			}
			for i := range offs {
				offs[i] = rng.IntN(200) - 100
			}
			ldc := ks.nr + 6
			nr := ks.nr
			c := make([]float32, 3*ldc+nr)
			ks.gemm(k, &a[0], &buf[1000], &append(offs, 0)[0], &c[0], ldc)
			ss := []float32{0.5, -1, 2, 0, 0.1, 0.2, -0.3, 0.4}
			mask := make([]float32, nr)
			for j := range mask {
				mask[j] = float32(j % 2)
			}
			c2 := make([]float32, len(c))
			ks.gemmReLU(k, &a[0], &buf[1000], &append(offs, 0)[0], &c2[0], ldc, &ss[0], &mask[0])
			for r := 0; r < 4; r++ {
				for j := 0; j < nr; j++ {
					want := max(c[r*ldc+j]*ss[r]+ss[4+r], 0) * mask[j]
					if d := math.Abs(float64(c2[r*ldc+j] - want)); d > 1e-5*(1+math.Abs(float64(want))) {
						t.Fatalf("%s gemmReLU k=%d c[%d][%d] = %v, want %v", ks.name, k, r, j, c2[r*ldc+j], want)
					}
				}
			}
			for r := 0; r < 4; r++ {
				for j := 0; j < nr; j++ {
					var want float64
					for kk := 0; kk < k; kk++ {
						want += float64(a[4*kk+r]) * float64(buf[1000+offs[kk]+j])
					}
					if d := math.Abs(float64(c[r*ldc+j]) - want); d > 1e-4*(1+math.Abs(want)) {
						t.Fatalf("%s gemm k=%d c[%d][%d] = %v, want %v", ks.name, k, r, j, c[r*ldc+j], want)
					}
				}
			}
		}
		for _, l := range []int{16, 32, 48, 400} {
			const lda = 411
			a := buf[:3*lda+l]
			dc := ks.dc
			offs := make([]int, dc)
			for j := range offs {
				offs[j] = rng.IntN(1000) - 500
			}
			b := 2000
			out := make([]float32, 4*dc)
			for i := range out {
				out[i] = float32(i)
			}
			ks.dot(l, &a[0], lda, &buf[b], &offs[0], &out[0])
			for r := 0; r < 4; r++ {
				for j := 0; j < dc; j++ {
					want := float64(dc*r + j)
					for i := 0; i < l; i++ {
						want += float64(a[r*lda+i]) * float64(buf[b+offs[j]+i])
					}
					if d := math.Abs(float64(out[dc*r+j]) - want); d > 1e-4*(1+math.Abs(want)) {
						t.Fatalf("%s dot l=%d out[%d][%d] = %v, want %v", ks.name, l, r, j, out[dc*r+j], want)
					}
				}
			}
		}
	}
	if len(allKernels()) < 2 {
		t.Log("only the pure-Go kernels are available on this CPU")
	}
}

// TestElemKernelsAgree compares the element-wise batch-norm kernels of every
// kernel set with the pure-Go ones, over lengths with and without a tail.
func TestElemKernelsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	gen := func(n int, nonneg bool) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
			if nonneg {
				v[i] = max(v[i], 0)
			}
		}
		return v
	}
	close := func(a, b float32, scale float64) bool {
		return math.Abs(float64(a-b)) <= 1e-5*scale
	}
	for _, ks := range allKernels() {
		e := &ks.elem
		for _, n := range []int{1, 7, 8, 9, 64, 515} {
			y, m, da, a := gen(n, false), gen(n, true), gen(n, false), gen(n, true)
			for i := range m {
				m[i] = float32(i % 3 / 2) // 0, 0, 1, ...
			}
			out, ref := make([]float32, 4), make([]float32, 4)
			s, ss := e.stats(y, m, 0.3, out)
			goElem.stats(y, m, 0.3, ref)
			rs, rss := goElem.stats(y, m, 0.3, ref)
			if !close(s, rs, float64(n)) || !close(ss, rss, float64(n)) {
				t.Errorf("%s stats n=%d: %v %v, want %v %v", ks.name, n, s, ss, rs, rss)
			}
			d1, d2 := make([]float32, n), make([]float32, n)
			e.apply(d1, y, m, 1.5, -0.2)
			goElem.apply(d2, y, m, 1.5, -0.2)
			g1, g2 := make([]float32, n), make([]float32, n)
			a1, b1 := e.grad1(g1, da, a, y, 0.1, out)
			a2, b2 := goElem.grad1(g2, da, a, y, 0.1, ref)
			if !close(a1, a2, float64(n)) || !close(b1, b2, float64(n)) {
				t.Errorf("%s grad1 n=%d sums differ", ks.name, n)
			}
			for i := range d1 {
				if !close(d1[i], d2[i], 1) || g1[i] != g2[i] {
					t.Fatalf("%s apply/grad1 n=%d [%d]: %v/%v %v/%v", ks.name, n, i, d1[i], d2[i], g1[i], g2[i])
				}
			}
			s1 := e.grad2(g1, y, m, 0.7, 0.05, -0.3, out)
			s2 := goElem.grad2(g2, y, m, 0.7, 0.05, -0.3, ref)
			if !close(s1, s2, float64(n)) {
				t.Errorf("%s grad2 n=%d sum %v, want %v", ks.name, n, s1, s2)
			}
			for i := range g1 {
				if !close(g1[i], g2[i], 1) {
					t.Fatalf("%s grad2 n=%d [%d]: %v, want %v", ks.name, n, i, g1[i], g2[i])
				}
			}
		}
	}
}

// TestAdamStep checks the first two Adam steps against PyTorch's formulas
// computed in float64, with every kernel set.
func TestAdamStep(t *testing.T) {
	for _, ks := range allKernels() {
		n, _ := New(smallArchs["default-like"], 1)
		n.ks = ks
		opt := NewAdam(n, 0.01)
		rng := rand.New(rand.NewPCG(2, 3))
		p0 := append([]float32(nil), n.params...)
		m := make([]float64, len(p0))
		v := make([]float64, len(p0))
		want := make([]float64, len(p0))
		for i := range want {
			want[i] = float64(p0[i])
		}
		for step := 1; step <= 2; step++ {
			for i := range n.grads {
				n.grads[i] = float32(rng.NormFloat64())
			}
			opt.step()
			for i, g32 := range n.grads {
				g := float64(g32)
				m[i] = 0.9*m[i] + 0.1*g
				v[i] = 0.999*v[i] + 0.001*g*g
				den := math.Sqrt(v[i])/math.Sqrt(1-math.Pow(0.999, float64(step))) + 1e-8
				want[i] -= 0.01 / (1 - math.Pow(0.9, float64(step))) * m[i] / den
			}
		}
		for i := range want {
			if d := math.Abs(float64(n.params[i]) - want[i]); d > 1e-6 {
				t.Fatalf("%s: param %d = %v after two steps, want %v", ks.name, i, n.params[i], want[i])
			}
		}
		n.Close()
	}
}

// reluLike fills v with ReLU-like values: zeros, ties and positives.
func reluLike(rng *rand.Rand, v []float32) {
	for i := range v {
		switch rng.IntN(4) {
		case 0: // zero
		case 1:
			v[i] = 0.5 // ties
		default:
			v[i] = float32(rng.ExpFloat64())
		}
	}
}

// TestPool2x1 checks every kernel set's 2×1 max pool against a plain max,
// exactly, on ReLU-like inputs, and that it writes nothing past its rows.
func TestPool2x1(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, ks := range allKernels() {
		for _, wp := range []int{8, 9, 15, 16, 17, 18, 33} {
			for _, rows := range []int{1, 3, 32} {
				src := make([]float32, 2*rows*wp)
				reluLike(rng, src)
				dst := make([]float32, rows*wp+8)
				for i := range dst {
					dst[i] = -1
				}
				ks.elem.pool2x1(&dst[0], &src[0], rows, wp)
				for r := 0; r < rows; r++ {
					for j := 0; j < wp; j++ {
						want := float32(math.Max(float64(src[2*r*wp+j]), float64(src[(2*r+1)*wp+j])))
						if got := dst[r*wp+j]; got != want {
							t.Fatalf("%s wp=%d rows=%d [%d][%d]: %v, want %v", ks.name, wp, rows, r, j, got, want)
						}
					}
				}
				for i := rows * wp; i < len(dst); i++ {
					if dst[i] != -1 {
						t.Fatalf("%s wp=%d rows=%d: wrote past the end at %d", ks.name, wp, rows, i)
					}
				}
			}
		}
	}
}

// TestPool2x2 checks every kernel set's 2×2 max pool against a plain max,
// exactly, and that it writes only the wout outputs of each row (the pad
// column and anything past the last row keep their values).
func TestPool2x2(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, ks := range allKernels() {
		for _, wout := range []int{2, 4, 5, 7, 8, 9, 13} {
			for extra := 0; extra < 2; extra++ {
				wpi, wpo := 2*wout+extra+1, wout+1
				for _, rows := range []int{1, 3, 8} {
					src := make([]float32, 2*rows*wpi)
					reluLike(rng, src)
					dst := make([]float32, rows*wpo+8)
					for i := range dst {
						dst[i] = -1
					}
					ks.elem.pool2x2(&dst[0], &src[0], rows, wout, wpi, wpo)
					for i, got := range dst {
						r, j := i/wpo, i%wpo
						want := float32(-1)
						if r < rows && j < wout {
							a, b := src[2*r*wpi+2*j:], src[(2*r+1)*wpi+2*j:]
							want = float32(math.Max(math.Max(float64(a[0]), float64(a[1])), math.Max(float64(b[0]), float64(b[1]))))
						}
						if got != want {
							t.Fatalf("%s wout=%d wpi=%d rows=%d [%d][%d]: %v, want %v", ks.name, wout, wpi, rows, r, j, got, want)
						}
					}
				}
			}
		}
	}
}

// TestPool2x1Arg checks every kernel set's training 2×1 max pool against a
// plain max and argmax (first maximum on ties), exactly, and that it writes
// only the w outputs of each row.
func TestPool2x1Arg(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, ks := range allKernels() {
		for _, w := range []int{8, 9, 15, 16, 17, 33} {
			wp, q0 := w+1, 1000+w
			for _, rows := range []int{1, 3, 32} {
				src := make([]float32, 2*rows*wp)
				reluLike(rng, src)
				dst := make([]float32, rows*wp+8)
				arg := make([]int32, rows*w+8)
				for i := range dst {
					dst[i] = -1
				}
				for i := range arg {
					arg[i] = -1
				}
				ks.elem.pool2x1Arg(&dst[0], &arg[0], &src[0], rows, w, wp, q0)
				for i, got := range dst {
					r, j := i/wp, i%wp
					want := float32(-1)
					if r < rows && j < w {
						want = max(src[2*r*wp+j], src[(2*r+1)*wp+j])
					}
					if got != want {
						t.Fatalf("%s w=%d rows=%d out[%d][%d]: %v, want %v", ks.name, w, rows, r, j, got, want)
					}
				}
				for i, got := range arg {
					want := int32(-1)
					if r, j := i/w, i%w; r < rows {
						q := 2*r*wp + j
						if src[q+wp] > src[q] {
							q += wp
						}
						want = int32(q0 + q)
					}
					if got != want {
						t.Fatalf("%s w=%d rows=%d arg[%d]: %d, want %d", ks.name, w, rows, i, got, want)
					}
				}
			}
		}
	}
}

// TestPool2x2Arg checks every kernel set's training 2×2 max pool against a
// plain max and argmax (first maximum in row-major window order),
// exactly, and that it writes only the w outputs of each row.
func TestPool2x2Arg(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, ks := range allKernels() {
		for _, w := range []int{2, 4, 5, 7, 8, 9, 13} {
			for extra := 0; extra < 2; extra++ {
				wpi, wpo, q0 := 2*w+extra+1, w+1, 500+w
				for _, rows := range []int{1, 3, 8} {
					src := make([]float32, 2*rows*wpi)
					reluLike(rng, src)
					dst := make([]float32, rows*wpo+8)
					arg := make([]int32, rows*w+8)
					for i := range dst {
						dst[i] = -1
					}
					for i := range arg {
						arg[i] = -1
					}
					ks.elem.pool2x2Arg(&dst[0], &arg[0], &src[0], rows, w, wpi, wpo, q0)
					for i := range arg {
						r, j := i/w, i%w
						wantV, wantQ := float32(-1), int32(-1)
						if r < rows {
							q := 2*r*wpi + 2*j
							best := q
							for _, c := range []int{q + 1, q + wpi, q + wpi + 1} {
								if src[c] > src[best] {
									best = c
								}
							}
							wantV, wantQ = src[best], int32(q0+best)
						}
						if arg[i] != wantQ {
							t.Fatalf("%s w=%d wpi=%d rows=%d arg[%d]: %d, want %d", ks.name, w, wpi, rows, i, arg[i], wantQ)
						}
						if r < rows {
							if got := dst[r*wpo+j]; got != wantV {
								t.Fatalf("%s w=%d wpi=%d rows=%d out[%d][%d]: %v, want %v", ks.name, w, wpi, rows, r, j, got, wantV)
							}
						}
					}
					for i, v := range dst {
						if r, j := i/wpo, i%wpo; (r >= rows || j >= w) && v != -1 {
							t.Fatalf("%s w=%d wpi=%d rows=%d: wrote dst[%d]", ks.name, w, wpi, rows, i)
						}
					}
				}
			}
		}
	}
}

// TestKernelSetsOnThisCPU names every assembly kernel set of this build:
// a set the CPU lacks is skipped with a message naming it and what it needs
// (the agreement tests above run only the sets allKernels returns), and the
// default is the last supported one.
func TestKernelSetsOnThisCPU(t *testing.T) {
	want := goKernels.name
	for _, a := range archKernels() {
		t.Run(a.Kernels.name, func(t *testing.T) {
			if !a.Supported {
				t.Skipf("kernel set %s not tested: this CPU lacks %s", a.Kernels.name, a.Needs)
			}
		})
		if a.Supported {
			want = a.Kernels.name
		}
	}
	if got := bestKernels().name; got != want {
		t.Errorf("default kernel set %s, want %s", got, want)
	}
}
