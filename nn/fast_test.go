package nn

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// eachKernelSet runs f as a subtest for the Go kernels and every assembly
// kernel set, skipping by name (and the CPU features it needs) those this
// CPU or build cannot run.
func eachKernelSet(t *testing.T, f func(t *testing.T, ks kernelSet)) {
	t.Run(goKernels.name, func(t *testing.T) { f(t, goKernels) })
	for _, a := range archKernels() {
		t.Run(a.Kernels.name, func(t *testing.T) {
			if !a.Supported {
				t.Skipf("kernel set %s needs %s, which this CPU lacks", a.Kernels.name, a.Needs)
			}
			f(t, a.Kernels)
		})
	}
}

func randFill(rng *rand.Rand, v []float32, scale float64) {
	for i := range v {
		v[i] = float32(scale * rng.NormFloat64())
	}
}

// TestConvFastMatchesPlain compares the GEMM convolution with the plain
// one (convRef), alone and fused with the max-feature-map after it
// (mfmLayer), on random maps: the output, the weight, bias and input
// gradients, for kernel sizes 1, 3 and 5, several map sizes (narrower and
// wider than a kernel tile), batches of 1 and 5 and 1 to 3 threads (the
// tile-parallel and the sample-parallel split).
func TestConvFastMatchesPlain(t *testing.T) {
	eachKernelSet(t, func(t *testing.T, ks kernelSet) {
		type tc struct{ cin, cout, k, h, w int }
		cases := []tc{{1, 8, 5, 12, 40}, {6, 10, 3, 7, 13}, {5, 12, 1, 3, 50}, {4, 4, 3, 1, 1}, {3, 6, 5, 9, 100}, {8, 16, 3, 15, 100}}
		rng := rand.New(rand.NewPCG(3, 4))
		for _, c := range cases {
			for _, batch := range []int{1, 5} {
				for _, threads := range []int{1, 2, 3} {
					in := shape{c.cin, c.h, c.w}
					spec := LayerSpec{Type: "conv", Name: "c", Out: c.cout, Kernel: c.k}
					ref, err := newConvRef(spec, in)
					if err != nil {
						t.Fatal(err)
					}
					ref2, _ := newConvRef(spec, in)
					w := make([]float32, c.cout*c.cin*c.k*c.k)
					b := make([]float32, c.cout)
					randFill(rng, w, 0.3)
					randFill(rng, b, 0.3)
					gw, gb := make([]float32, len(w)), make([]float32, len(b))
					fw, fb := make([]float32, len(w)), make([]float32, len(b))
					ref.bind([][]float32{w, b}, [][]float32{gw, gb})
					ref2.bind([][]float32{w, b}, [][]float32{fw, fb})
					fast := newConvFast(ref2, &ks)
					wk := newWorkers(threads)

					for _, mfm := range []bool{false, true} {
						if mfm && c.cout%2 != 0 {
							continue
						}
						fast.mfm = mfm
						var x, yr, ym, yf, dy, dyr, dxr, dxf tensor
						out := ref.outShape(in)
						x.resize(batch, in)
						yr.resize(batch, out)
						dxr.resize(batch, in)
						dxf.resize(batch, in)
						fout := fast.outShape(in)
						yf.resize(batch, fout)
						dy.resize(batch, fout)
						randFill(rng, x.data, 1)
						randFill(rng, dy.data, 1)
						randFill(rng, yf.data, 1e3) // stale values must be overwritten
						randFill(rng, dxf.data, 1e3)
						ctx := &passCtx{training: true, wk: wk, scratch: make([][]float32, threads)}
						// Stale scratch from a wider layer must not leak in.
						for i := range ctx.scratch {
							ctx.scratch[i] = make([]float32, 1<<16)
							randFill(rng, ctx.scratch[i], 1e3)
						}
						plain := &passCtx{training: true}
						ref.forward(&x, &yr, plain)
						want, dconv := &yr, &dy
						if mfm {
							m := &mfmLayer{in: out}
							ym.resize(batch, fout)
							m.forward(&yr, &ym, plain)
							dyr.resize(batch, out)
							m.backward(&yr, &ym, &dy, &dyr, plain)
							want, dconv = &ym, &dyr
						}
						fast.forward(&x, &yf, ctx)
						ref.backward(&x, &yr, dconv, &dxr, plain)
						fast.backward(&x, &yf, &dy, &dxf, ctx)
						for _, chk := range []struct {
							what      string
							got, want []float32
						}{{"output", yf.data, want.data}, {"weight gradient", fw, gw}, {"bias gradient", fb, gb}, {"input gradient", dxf.data, dxr.data}} {
							if e := relErr(chk.got, chk.want, 0); !(e < 2e-6) {
								t.Errorf("%+v batch %d threads %d mfm %v: %s: relative error %.3g", c, batch, threads, mfm, chk.what, e)
							}
						}
					}
					wk.close()
				}
			}
		}
	})
}

// fastArchs are the networks the graph engine's fast path is compared on:
// every layer of the graph engine and the shipped LCNN and seed CNN.
func fastArchs() map[string]struct {
	a     Arch
	width int
} {
	lcnn, _ := ArchByName("lcnn")
	m := map[string]struct {
		a     Arch
		width int
	}{
		"lcnn":     {lcnn, 40},
		"seed-cnn": {DefaultArch(), 0},
	}
	for name, a := range layerArchs {
		m[name] = struct {
			a     Arch
			width int
		}{a, 23}
	}
	return m
}

// TestFastMatchesPlain runs whole networks on the graph engine's fast
// layers and on the plain layers from the same weights: two training steps
// (the loss, every gradient and the running statistics; dropout included,
// both engines draw the same masks) and the eval logits (a batch, and one
// utterance at a time).
func TestFastMatchesPlain(t *testing.T) {
	eachKernelSet(t, func(t *testing.T, ks kernelSet) {
		for name, c := range fastArchs() {
			for _, threads := range []int{1, 3} {
				fast, err := newNet(c.a, 9, engineGraph)
				if err != nil {
					t.Fatal(err)
				}
				fast.ks = ks
				fast.SetThreads(threads)
				plain, err := newNet(c.a, 9, enginePlain)
				if err != nil {
					t.Fatal(err)
				}
				rng := rand.New(rand.NewPCG(5, 6))
				batch := 4
				var x []float32
				var y []int32
				if c.a.Utterance() {
					x, y = randUtterances(rng, c.a, batch, c.width)
				} else {
					x, y = randInput(rng, c.a, batch)
				}
				k := max(1, c.a.Classes)
				check := func(what string, got, want []float32, floor, tol float64) {
					t.Helper()
					if e := relErr(got, want, floor); !(e <= tol) {
						t.Errorf("%s, %d threads: %s: relative error %.3g", name, threads, what, e)
					}
				}
				of, op := NewAdam(fast, 1e-3), NewAdam(plain, 1e-3)
				for step := 0; step < 2; step++ {
					// From the same weights and running statistics: an
					// Adam step turns gradients that are rounding noise
					// (a bias whose MFM half always wins, then batch
					// norm) into full steps, so the engines' weights
					// would drift apart by rounding alone.
					if err := fast.SetTensors(plain.Tensors()); err != nil {
						t.Fatal(err)
					}
					lf, cf, err := fast.TrainStep(x, y, of)
					if err != nil {
						t.Fatal(err)
					}
					lp, cp, err := plain.TrainStep(x, y, op)
					if err != nil {
						t.Fatal(err)
					}
					if math.Abs(lf-lp) > 1e-5*math.Max(1, math.Abs(lp)) || cf != cp {
						t.Errorf("%s, %d threads, step %d: loss %.8g (%d correct), plain %.8g (%d)", name, threads, step, lf, cf, lp, cp)
					}
					floor := gradFloor(plain.grads)
					for _, tr := range plain.tensors {
						if tr.param {
							check(tr.name+" gradient", fast.grads[tr.off:tr.off+tr.size()], plain.grads[tr.off:tr.off+tr.size()], floor, 1e-4)
						}
					}
					if len(plain.stats) > 0 {
						check("running statistics", fast.stats, plain.stats, 0, 1e-5)
					}
				}
				if err := fast.SetTensors(plain.Tensors()); err != nil {
					t.Fatal(err)
				}
				zf, zp := make([]float32, batch*k), make([]float32, batch*k)
				if err := fast.Logits(x, batch, zf); err != nil {
					t.Fatal(err)
				}
				if err := plain.Logits(x, batch, zp); err != nil {
					t.Fatal(err)
				}
				check("eval logits", zf, zp, 0, 2e-5)
				if c.a.Utterance() {
					one := len(x) / batch
					for i := 0; i < batch; i++ {
						if err := fast.Logits(x[i*one:(i+1)*one], 1, zf[i*k:(i+1)*k]); err != nil {
							t.Fatal(err)
						}
					}
					check("eval logits one at a time", zf, zp, 0, 2e-5)
				}
				fast.Close()
				plain.Close()
			}
		}
	})
}

// TestFastDeterministic: two runs of the fast path from the same seed with
// the same thread count give bit-identical parameters.
func TestFastDeterministic(t *testing.T) {
	a, _ := ArchByName("lcnn")
	var params [2][]float32
	for r := range params {
		n, err := newNet(a, 4, engineGraph)
		if err != nil {
			t.Fatal(err)
		}
		n.SetThreads(3)
		opt := NewAdam(n, 1e-3)
		rng := rand.New(rand.NewPCG(1, 2))
		for step := 0; step < 2; step++ {
			x, y := randUtterances(rng, a, 5, 33)
			if _, _, err := n.TrainStep(x, y, opt); err != nil {
				t.Fatal(err)
			}
		}
		params[r] = append([]float32(nil), n.params...)
		n.Close()
	}
	if !slices.Equal(params[0], params[1]) {
		t.Error("two runs with the same seed and thread count differ")
	}
}

// TestGraphPassesDoNotAllocate: after a first pass has sized the buffers,
// training steps and scoring on the graph engine allocate nothing.
func TestGraphPassesDoNotAllocate(t *testing.T) {
	for _, name := range []string{"lcnn", "lcnn-asp", "seed-cnn-stats"} {
		a, err := ArchByName(name)
		if err != nil {
			t.Fatal(err)
		}
		n, err := New(a, 1)
		if err != nil {
			t.Fatal(err)
		}
		n.SetThreads(2)
		opt := NewAdam(n, 1e-3)
		x, y := randUtterances(rand.New(rand.NewPCG(1, 1)), a, 4, 64)
		one := x[:len(x)/4]
		out := make([]float32, a.Classes)
		if _, _, err := n.TrainStep(x, y, opt); err != nil {
			t.Fatal(err)
		}
		if err := n.Logits(one, 1, out); err != nil {
			t.Fatal(err)
		}
		if k := testing.AllocsPerRun(3, func() { n.TrainStep(x, y, opt) }); k != 0 {
			t.Errorf("%s: %v allocations per training step", name, k)
		}
		if k := testing.AllocsPerRun(3, func() { n.Logits(one, 1, out) }); k != 0 {
			t.Errorf("%s: %v allocations per scoring call", name, k)
		}
		n.Close()
	}
}

// TestMaxPool2x2MatchesPlain compares the branch-free 2×2 max pool with
// poolLayer on maps of odd and even sizes whose values repeat (ties go to
// the first maximum in row-major window order): outputs and input
// gradients must be identical.
func TestMaxPool2x2MatchesPlain(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	for _, in := range []shape{{3, 7, 9}, {2, 2, 2}, {4, 6, 11}, {1, 5, 4}} {
		spec := LayerSpec{Type: "maxpool", Size: [2]int{2, 2}}
		mk := func() *poolLayer {
			l, err := newLayer(spec, in)
			if err != nil {
				t.Fatal(err)
			}
			return l.(*poolLayer)
		}
		plain, fast := mk(), &maxPool2x2{mk()}
		out := plain.outShape(in)
		var x, yp, yf, dy, dxp, dxf tensor
		batch := 3
		x.resize(batch, in)
		for i := range x.data {
			x.data[i] = float32(rng.IntN(4)) - 1.5 // few values: many ties
		}
		for _, tt := range []*tensor{&yp, &yf, &dy} {
			tt.resize(batch, out)
		}
		dxp.resize(batch, in)
		dxf.resize(batch, in)
		randFill(rng, dy.data, 1)
		randFill(rng, dxf.data, 1e3) // stale values must be overwritten
		ctx := &passCtx{training: true}
		plain.forward(&x, &yp, ctx)
		fast.forwardPart(&x, &yf, ctx, 0, fast.parts(&x))
		plain.backward(&x, &yp, &dy, &dxp, ctx)
		fast.backwardPart(&x, &yf, &dy, &dxf, ctx, 0, fast.parts(&x))
		if !slices.Equal(yf.data, yp.data) || !slices.Equal(fast.arg, plain.arg) {
			t.Errorf("%+v: forward differs", in)
		}
		if !slices.Equal(dxf.data, dxp.data) {
			t.Errorf("%+v: input gradient differs", in)
		}
	}
}
