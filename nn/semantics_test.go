package nn

import (
	"bytes"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/deep4deep/deep4deep/safetensors"
)

// refForward is a direct float64 implementation of the network (NCHW, no
// dropout), written independently of the engine's layout and kernels. In
// training mode batch norm uses the batch statistics and the function
// returns, per batch-norm layer, the batch mean and unbiased variance of its
// input.
func refForward(a Arch, ts map[string]safetensors.Tensor, x []float32, batch int, train bool) (logits [][]float64, means, uvars [][]float64) {
	f := func(name string) []float64 {
		v := ts[name].F32
		out := make([]float64, len(v))
		for i := range v {
			out[i] = float64(v[i])
		}
		return out
	}
	H, W, C := a.InputHeight, a.InputWidth, 1
	cur := make([]float64, len(x)) // [n][c][h][w]
	for i := range x {
		cur[i] = float64(x[i])
	}
	for bi, b := range a.Blocks {
		for j, co := range b.Channels {
			p := "block" + string(rune('1'+bi)) + "."
			sj := string(rune('1' + j))
			w, bias := f(p+"conv"+sj+".weight"), f(p+"conv"+sj+".bias")
			gm, bt := f(p+"bn"+sj+".weight"), f(p+"bn"+sj+".bias")
			rm, rv := f(p+"bn"+sj+".running_mean"), f(p+"bn"+sj+".running_var")
			y := make([]float64, batch*co*H*W)
			for n := 0; n < batch; n++ {
				for o := 0; o < co; o++ {
					for h := 0; h < H; h++ {
						for ww := 0; ww < W; ww++ {
							s := bias[o]
							for ci := 0; ci < C; ci++ {
								for dy := 0; dy < 3; dy++ {
									for dx := 0; dx < 3; dx++ {
										hh, wx := h+dy-1, ww+dx-1
										if hh < 0 || hh >= H || wx < 0 || wx >= W {
											continue
										}
										s += w[((o*C+ci)*3+dy)*3+dx] * cur[((n*C+ci)*H+hh)*W+wx]
									}
								}
							}
							y[((n*co+o)*H+h)*W+ww] = s
						}
					}
				}
			}
			mean, vr := make([]float64, co), make([]float64, co)
			uv := make([]float64, co)
			m := float64(batch * H * W)
			for o := 0; o < co; o++ {
				if train {
					var s, ss float64
					for n := 0; n < batch; n++ {
						for _, v := range y[(n*co+o)*H*W : (n*co+o+1)*H*W] {
							s += v
						}
					}
					mean[o] = s / m
					for n := 0; n < batch; n++ {
						for _, v := range y[(n*co+o)*H*W : (n*co+o+1)*H*W] {
							ss += (v - mean[o]) * (v - mean[o])
						}
					}
					vr[o] = ss / m
					uv[o] = ss / (m - 1)
				} else {
					mean[o], vr[o] = rm[o], rv[o]
				}
				for n := 0; n < batch; n++ {
					seg := y[(n*co+o)*H*W : (n*co+o+1)*H*W]
					for i, v := range seg {
						seg[i] = max(0, (v-mean[o])/math.Sqrt(vr[o]+1e-5)*gm[o]+bt[o])
					}
				}
			}
			means, uvars = append(means, mean), append(uvars, uv)
			cur, C = y, co
		}
		oh, ow := H/b.PoolH, W/b.PoolW
		pooled := make([]float64, batch*C*oh*ow)
		for nc := 0; nc < batch*C; nc++ {
			for i := 0; i < oh; i++ {
				for j := 0; j < ow; j++ {
					best := math.Inf(-1)
					for di := 0; di < b.PoolH; di++ {
						for dj := 0; dj < b.PoolW; dj++ {
							best = max(best, cur[(nc*H+i*b.PoolH+di)*W+j*b.PoolW+dj])
						}
					}
					pooled[(nc*oh+i)*ow+j] = best
				}
			}
		}
		cur, H, W = pooled, oh, ow
	}
	fin := C * H * W
	names := []string{}
	for i := range a.Dense {
		names = append(names, "fc"+string(rune('1'+i)))
	}
	names = append(names, "out")
	for li, name := range names {
		w, bias := f(name+".weight"), f(name+".bias")
		fout := len(bias)
		next := make([]float64, batch*fout)
		for n := 0; n < batch; n++ {
			for o := 0; o < fout; o++ {
				s := bias[o]
				for k := 0; k < fin; k++ {
					s += w[o*fin+k] * cur[n*fin+k]
				}
				if li < len(a.Dense) {
					s = max(s, 0)
				}
				next[n*fout+o] = s
			}
		}
		cur, fin = next, fout
	}
	for n := 0; n < batch; n++ {
		logits = append(logits, cur[n*fin:(n+1)*fin])
	}
	return logits, means, uvars
}

func refCrossEntropy(logits [][]float64, labels []int32) float64 {
	var loss float64
	for i, z := range logits {
		m := math.Inf(-1)
		for _, v := range z {
			m = max(m, v)
		}
		var s float64
		for _, v := range z {
			s += math.Exp(v - m)
		}
		loss += m + math.Log(s) - z[labels[i]]
	}
	return loss / float64(len(labels))
}

var refArch = Arch{InputHeight: 9, InputWidth: 7, Blocks: []Block{
	{Channels: []int{3, 5}, PoolH: 2, PoolW: 1},
	{Channels: []int{4}, PoolH: 2, PoolW: 3},
}, Dense: []Dense{{Units: 6}}, Classes: 3}

// TestBatchNormSemantics checks training-mode batch norm (batch statistics
// in the loss; running mean/var updated with momentum 0.1 from the batch
// mean and the unbiased variance) and inference mode (running statistics)
// against the float64 reference.
func TestBatchNormSemantics(t *testing.T) {
	for _, ks := range allKernels() {
		n, err := New(refArch, 5)
		if err != nil {
			t.Fatal(err)
		}
		n.ks = ks
		rng := rand.New(rand.NewPCG(8, 9))
		x, y := randInput(rng, refArch, 7)
		before := n.Tensors()
		opt := NewAdam(n, 0) // lr 0: the weights stay, the running statistics move
		loss, _, err := n.TrainStep(x, y, opt)
		if err != nil {
			t.Fatal(err)
		}
		refLogits, means, uvars := refForward(refArch, before, x, 7, true)
		if want := refCrossEntropy(refLogits, y); math.Abs(loss-want) > 1e-5 {
			t.Errorf("%s: training loss %.7f, reference %.7f", ks.name, loss, want)
		}
		after := n.Tensors()
		li := 0
		for bi, b := range refArch.Blocks {
			for j := range b.Channels {
				p := "block" + string(rune('1'+bi)) + ".bn" + string(rune('1'+j))
				rm, rv := after[p+".running_mean"].F32, after[p+".running_var"].F32
				for c := range rm {
					wm, wv := 0.1*means[li][c], 0.9+0.1*uvars[li][c]
					if math.Abs(float64(rm[c])-wm) > 1e-5 || math.Abs(float64(rv[c])-wv) > 1e-5*(1+wv) {
						t.Errorf("%s %s[%d]: running mean/var %v/%v, want %v/%v", ks.name, p, c, rm[c], rv[c], wm, wv)
					}
				}
				li++
			}
		}
		// Inference mode uses the running statistics.
		out := make([]float32, 7*refArch.Classes)
		if err := n.Logits(x, 7, out); err != nil {
			t.Fatal(err)
		}
		evalRef, _, _ := refForward(refArch, after, x, 7, false)
		for i := range evalRef {
			for c, w := range evalRef[i] {
				if g := float64(out[i*refArch.Classes+c]); math.Abs(g-w) > 1e-5*(1+math.Abs(w)) {
					t.Errorf("%s: inference logit [%d][%d] = %v, reference %v", ks.name, i, c, g, w)
				}
			}
		}
		evalLoss, _, err := n.Loss(x, y)
		if err != nil || math.Abs(evalLoss-refCrossEntropy(evalRef, y)) > 1e-5 {
			t.Errorf("%s: Loss = %v, %v; reference %v", ks.name, evalLoss, err, refCrossEntropy(evalRef, y))
		}
		n.Close()
	}
}

func tensorsEqual(t *testing.T, what string, a, b map[string]safetensors.Tensor) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: %d vs %d tensors", what, len(a), len(b))
	}
	for name, ta := range a {
		tb := b[name]
		for i := range ta.F32 {
			if math.Float32bits(ta.F32[i]) != math.Float32bits(tb.F32[i]) {
				t.Fatalf("%s: %s[%d] differs: %v vs %v", what, name, i, ta.F32[i], tb.F32[i])
			}
		}
	}
}

func trainSteps(t *testing.T, n *Net, opt *Adam, seed uint64, steps, batch int) {
	rng := rand.New(rand.NewPCG(seed, 0))
	for i := 0; i < steps; i++ {
		x, y := randInput(rng, n.arch, batch)
		if _, _, err := n.TrainStep(x, y, opt); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDeterministic: same seed and thread count give bit-identical weights.
func TestDeterministic(t *testing.T) {
	a := smallArchs["default-like"]
	for _, threads := range []int{1, 2, 3} {
		var got []map[string]safetensors.Tensor
		for rep := 0; rep < 2; rep++ {
			n, _ := New(a, 42)
			n.SetThreads(threads)
			trainSteps(t, n, NewAdam(n, 1e-3), 1, 3, 37)
			got = append(got, n.Tensors())
			n.Close()
		}
		tensorsEqual(t, "same seed", got[0], got[1])
	}
}

// TestResumeBitExact: training 4 steps equals training 2, checkpointing
// weights, optimiser and dropout generator through safetensors bytes into a
// fresh network, and training 2 more.
func TestResumeBitExact(t *testing.T) {
	a := smallArchs["two blocks"]
	ref, _ := New(a, 3)
	defer ref.Close()
	ropt := NewAdam(ref, 1e-2)
	rng := rand.New(rand.NewPCG(5, 5))
	var xs [][]float32
	var ys [][]int32
	for i := 0; i < 4; i++ {
		x, y := randInput(rng, a, 9)
		xs, ys = append(xs, x), append(ys, y)
	}
	for i := 0; i < 4; i++ {
		ref.TrainStep(xs[i], ys[i], ropt)
	}
	n, _ := New(a, 3)
	opt := NewAdam(n, 1e-2)
	for i := 0; i < 2; i++ {
		n.TrainStep(xs[i], ys[i], opt)
	}
	roundTrip := func(m map[string]safetensors.Tensor) map[string]safetensors.Tensor {
		var b bytes.Buffer
		if err := safetensors.Write(&b, m, nil); err != nil {
			t.Fatal(err)
		}
		out, _, err := safetensors.Read(b.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	w, o, r := roundTrip(n.Tensors()), roundTrip(opt.Tensors()), n.RNGState()
	n.Close()
	m, _ := New(a, 99) // different seed: everything must come from the checkpoint
	defer m.Close()
	mopt := NewAdam(m, 1e-2)
	if err := m.SetTensors(w); err != nil {
		t.Fatal(err)
	}
	if err := mopt.SetTensors(o); err != nil {
		t.Fatal(err)
	}
	if err := m.SetRNGState(r); err != nil {
		t.Fatal(err)
	}
	for i := 2; i < 4; i++ {
		m.TrainStep(xs[i], ys[i], mopt)
	}
	if mopt.Step() != 4 {
		t.Errorf("step %d, want 4", mopt.Step())
	}
	tensorsEqual(t, "resumed", ref.Tensors(), m.Tensors())
}

// TestTrainStepNoAlloc: after warm-up, a training step allocates nothing.
func TestTrainStepNoAlloc(t *testing.T) {
	a := smallArchs["default-like"]
	n, _ := New(a, 1)
	defer n.Close()
	n.SetThreads(2)
	opt := NewAdam(n, 1e-3)
	x, y := randInput(rand.New(rand.NewPCG(1, 1)), a, 64)
	n.TrainStep(x, y, opt)
	if allocs := testing.AllocsPerRun(5, func() { n.TrainStep(x, y, opt) }); allocs != 0 {
		t.Errorf("TrainStep allocates %v times per step", allocs)
	}
	out := make([]float32, 64*a.Classes)
	n.Logits(x, 64, out)
	if allocs := testing.AllocsPerRun(5, func() { n.Logits(x, 64, out) }); allocs != 0 {
		t.Errorf("Logits allocates %v times per call", allocs)
	}
}

// TestDropoutMask: masks hold 0 or 1/(1−p), with about p of them 0.
func TestDropoutMask(t *testing.T) {
	a := DefaultArch()
	n, _ := New(a, 1)
	defer n.Close()
	x, y := randInput(rand.New(rand.NewPCG(1, 1)), a, 128)
	if _, _, err := n.TrainStep(x, y, NewAdam(n, 1e-3)); err != nil {
		t.Fatal(err)
	}
	d := n.denses[0]
	zeros, total := 0, 0
	for r := 0; r < d.fout; r++ {
		for _, v := range d.mask.row(r)[:128] {
			switch v {
			case 0:
				zeros++
			case float32(1 / 0.75):
			default:
				t.Fatalf("mask value %v", v)
			}
			total++
		}
	}
	if p := float64(zeros) / float64(total); math.Abs(p-0.25) > 0.01 {
		t.Errorf("dropped fraction %.4f, want 0.25", p)
	}
}

func TestBadInputs(t *testing.T) {
	a := smallArchs["default-like"]
	n, _ := New(a, 1)
	defer n.Close()
	opt := NewAdam(n, 1e-3)
	x, y := randInput(rand.New(rand.NewPCG(1, 1)), a, 4)
	if _, _, err := n.TrainStep(x[:10], y, opt); err == nil {
		t.Error("short input accepted")
	}
	if _, _, err := n.TrainStep(x, []int32{0, 1, 2, 0}, opt); err == nil || !strings.Contains(err.Error(), "label") {
		t.Errorf("bad label: %v", err)
	}
	other, _ := New(a, 2)
	defer other.Close()
	if _, _, err := n.TrainStep(x, y, NewAdam(other, 1e-3)); err == nil {
		t.Error("optimiser of another network accepted")
	}
	if err := n.Logits(x, 4, make([]float32, 3)); err == nil {
		t.Error("short logits buffer accepted")
	}
	if _, err := New(Arch{InputHeight: 4, InputWidth: 4, Blocks: []Block{{Channels: []int{2}, PoolH: 8, PoolW: 1}}, Classes: 2}, 1); err == nil {
		t.Error("pooling to an empty map accepted")
	}
	ts := n.Tensors()
	delete(ts, "fc1.bias")
	if err := n.SetTensors(ts); err == nil || !strings.Contains(err.Error(), "fc1.bias") {
		t.Errorf("missing tensor: %v", err)
	}
	ts = n.Tensors()
	ts["block1.conv1.weight"] = safetensors.Tensor{DType: "F32", Shape: []int{4, 1, 3, 2}, F32: make([]float32, 24)}
	if err := n.SetTensors(ts); err == nil || !strings.Contains(err.Error(), "shape") {
		t.Errorf("wrong shape: %v", err)
	}
	ts = n.Tensors()
	ts["extra"] = ts["fc1.bias"]
	if err := n.SetTensors(ts); err == nil || !strings.Contains(err.Error(), "extra") {
		t.Errorf("extra tensor: %v", err)
	}
	if err := n.SetRNGState([]byte("junk")); err == nil {
		t.Error("bad RNG state accepted")
	}
}

// TestWorkersStopWithoutClose: a Net dropped without Close does not leak
// its worker goroutines.
func TestWorkersStopWithoutClose(t *testing.T) {
	base := runtime.NumGoroutine()
	for i := 0; i < 4; i++ {
		n, err := New(smallArchs["default-like"], 1)
		if err != nil {
			t.Fatal(err)
		}
		n.SetThreads(3)
	}
	for i := 0; i < 200 && runtime.NumGoroutine() > base; i++ {
		runtime.GC()
		time.Sleep(5 * time.Millisecond)
	}
	if g := runtime.NumGoroutine(); g > base {
		t.Errorf("%d goroutines left, %d before", g, base)
	}
}
