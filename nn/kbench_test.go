package nn

import "testing"

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
		out := make([]float32, 12)
		b.Run("dot-"+ks.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				ks.dot4x3(512, &buf[0], 600, &buf[3000], &offs[0], &out[0])
			}
			b.ReportMetric(float64(b.N)*12*2*512/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
