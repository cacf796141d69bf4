package nn

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkCNNTrain: one training step (forward, backward, Adam) of the
// default network on a batch of 256. Compare with
// `torch_cnn.py bench THREADS` run with the same thread count (-cpu).
func BenchmarkCNNTrain(b *testing.B) {
	a := DefaultArch()
	n, err := New(a, 1)
	if err != nil {
		b.Fatal(err)
	}
	defer n.Close()
	opt := NewAdam(n, 1e-3)
	x, y := randInput(rand.New(rand.NewPCG(1, 1)), a, 256)
	for i := 0; i < 3; i++ {
		n.TrainStep(x, y, opt)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := n.TrainStep(x, y, opt); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(256*b.N)/b.Elapsed().Seconds(), "samples/s")
}

// BenchmarkCNNInfer: inference-mode logits of the default network on a batch
// of 1024.
func BenchmarkCNNInfer(b *testing.B) {
	a := DefaultArch()
	n, err := New(a, 1)
	if err != nil {
		b.Fatal(err)
	}
	defer n.Close()
	x, _ := randInput(rand.New(rand.NewPCG(1, 1)), a, 1024)
	out := make([]float32, 1024*a.Classes)
	for i := 0; i < 3; i++ {
		n.Logits(x, 1024, out)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := n.Logits(x, 1024, out); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(1024*b.N)/b.Elapsed().Seconds(), "samples/s")
}
