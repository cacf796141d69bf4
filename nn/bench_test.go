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

// BenchmarkLCNNTrain: one training step of the shipped LCNN (graph engine)
// on a batch of 16 crops of 400 frames × 60 LFCC dimensions (the training
// default). Compare with `nn/testdata/torch_arch.py bench nn/archs/lcnn.json
// THREADS 16 400`.
func BenchmarkLCNNTrain(b *testing.B) {
	a, _ := ArchByName("lcnn")
	n, err := New(a, 1)
	if err != nil {
		b.Fatal(err)
	}
	defer n.Close()
	opt := NewAdam(n, 1e-3)
	x, y := randUtterances(rand.New(rand.NewPCG(1, 1)), a, 16, 400)
	n.TrainStep(x, y, opt)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := n.TrainStep(x, y, opt); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(16*b.N)/b.Elapsed().Seconds(), "samples/s")
}

// BenchmarkLCNNScore: scoring one 3 s utterance (300 LFCC frames) with the
// LCNN, in audio seconds per second (torch_arch.py bench's
// score_audio_s_per_s).
func BenchmarkLCNNScore(b *testing.B) {
	a, _ := ArchByName("lcnn")
	n, err := New(a, 1)
	if err != nil {
		b.Fatal(err)
	}
	defer n.Close()
	x, _ := randUtterances(rand.New(rand.NewPCG(1, 1)), a, 1, 300)
	out := make([]float32, 2)
	n.Logits(x, 1, out)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := n.Logits(x, 1, out); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(3*float64(b.N)/b.Elapsed().Seconds(), "audio-s/s")
}
