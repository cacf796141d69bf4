package nn

import (
	"math/rand/v2"
	"testing"
)

func BenchmarkKernelGemm(b *testing.B) {
	for _, ks := range allKernels()[1:] {
		const k = 144
		a := make([]float32, 4*k)
		buf := make([]float32, 8192)
		offs := make([]int, k+1)
		for i := range offs {
			offs[i] = (i * 37) % 4000
		}
		c := make([]float32, 4*64)
		b.Run(ks.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				ks.gemm(k, &a[0], &buf[100], &offs[0], &c[0], 64)
			}
			b.ReportMetric(float64(b.N)*4*float64(ks.nr)*2*k/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
		out := make([]float32, 24)
		b.Run("dot-"+ks.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				ks.dot(512, &buf[0], 600, &buf[3000], &offs[0], &out[0])
			}
			b.ReportMetric(float64(b.N)*float64(4*ks.dc)*2*512/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

func BenchmarkKernelSets(b *testing.B) {
	a := DefaultArch()
	for _, ks := range allKernels()[1:] {
		b.Run("train-"+ks.name, func(b *testing.B) {
			n, _ := New(a, 1)
			defer n.Close()
			n.ks = ks
			opt := NewAdam(n, 1e-3)
			x, y := randInput(rand.New(rand.NewPCG(1, 1)), a, 256)
			n.TrainStep(x, y, opt)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				n.TrainStep(x, y, opt)
			}
			b.ReportMetric(float64(256*b.N)/b.Elapsed().Seconds(), "samples/s")
		})
		b.Run("infer-"+ks.name, func(b *testing.B) {
			n, _ := New(a, 1)
			defer n.Close()
			n.ks = ks
			x, _ := randInput(rand.New(rand.NewPCG(1, 1)), a, 1024)
			out := make([]float32, 2048)
			n.Logits(x, 1024, out)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				n.Logits(x, 1024, out)
			}
			b.ReportMetric(float64(1024*b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}
