package train

import (
	"math/rand/v2"
	"testing"

	"github.com/deep4deep/deep4deep/audio"
	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/features"
	"github.com/deep4deep/deep4deep/nn"
)

// benchSet is a frame set the size of a small corpus: 64-dim frames with
// random values.
func benchSet() *frameSet {
	const utts, frames, dim = 40, 500, 64
	rows := make([]int, utts)
	labels := make([]int32, utts)
	for i := range rows {
		rows[i], labels[i] = frames, int32(i%2)
	}
	s := testSet(rows, labels, dim)
	rng := rand.New(rand.NewPCG(1, 1))
	for _, m := range s.utts {
		for i := range m.Data {
			m.Data[i] = float32(rng.NormFloat64())
		}
	}
	return s
}

func benchNet(b *testing.B, threads int) (*nn.Net, *nn.Adam) {
	net, err := nn.New(nn.DefaultArch(), 1)
	if err != nil {
		b.Fatal(err)
	}
	net.SetThreads(threads)
	return net, nn.NewAdam(net, 1e-3)
}

// BenchmarkCNNPipeline is the training pipeline as TrainCNN runs it: sample
// order, context images cut on the batcher goroutine (double buffering) and
// the engine's training step, batch 256, 2 threads. Compare its samples/s
// with BenchmarkCNNEngine (the step alone on a ready batch): the gap is what
// data handling costs.
func BenchmarkCNNPipeline(b *testing.B) {
	const bs, threads = 256, 2
	s := benchSet()
	net, opt := benchNet(b, threads)
	defer net.Close()
	img := s.dim * 17
	epoch := 0
	var bt *batcher
	next := func() *batch {
		for {
			if bt != nil {
				if x := bt.next(); x != nil {
					return x
				}
				bt.close()
			}
			epoch++
			samples := epochSamples(rand.New(rand.NewPCG(1, uint64(epoch))), s, 0, false)
			bt = newBatcher(s, samples, 0, bs, 8)
		}
	}
	x := next()
	bt.release(x) // warm-up and allocation outside the timer
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		x := next()
		if _, _, err := net.TrainStep(x.x[:x.n*img], x.y[:x.n], opt); err != nil {
			b.Fatal(err)
		}
		n += x.n
		bt.release(x)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "samples/s")
	bt.close()
}

// BenchmarkCNNEngine is the engine's training step alone (2 threads) on 16
// batches of 256 images cut beforehand and used in turn: the ceiling for
// BenchmarkCNNPipeline, same data and network.
func BenchmarkCNNEngine(b *testing.B) {
	const bs, threads, nb = 256, 2, 16
	s := benchSet()
	net, opt := benchNet(b, threads)
	defer net.Close()
	samples := epochSamples(rand.New(rand.NewPCG(1, 1)), s, 0, false)
	bt := newBatcher(s, samples, 0, bs, 8)
	img := s.dim * 17
	var xs [nb][]float32
	var ys [nb][]int32
	for i := range xs {
		x := bt.next()
		xs[i] = append([]float32(nil), x.x[:x.n*img]...)
		ys[i] = append([]int32(nil), x.y[:x.n]...)
		bt.release(x)
	}
	bt.close()
	if _, _, err := net.TrainStep(xs[0], ys[0], opt); err != nil { // warm-up, as the pipeline's
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := net.TrainStep(xs[i%nb], ys[i%nb], opt); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*bs)/b.Elapsed().Seconds(), "samples/s")
}

// BenchmarkDevEval is the per-epoch dev evaluation (inference batches of
// 256 frames across utterances), in frames/s.
func BenchmarkDevEval(b *testing.B) {
	c := tinyCorpus(b, 40, 2)
	trials, err := c.Trials(corpus.Dev)
	if err != nil {
		b.Fatal(err)
	}
	paths := make([]string, len(trials))
	labels := make([]int32, len(trials))
	for i, t := range trials {
		paths[i], labels[i] = c.AudioPath(corpus.Dev, t), int32(t.Label)
	}
	cfg := features.DefaultConfig(features.Fbank)
	frames, _, err := scanDev(b.Context(), cfg, audio.Limits{}, paths, 2, 0, nil)
	if err != nil {
		b.Fatal(err)
	}
	norm := features.Normalization{Mean: make([]float32, 64), Std: make([]float32, 64)}
	for i := range norm.Std {
		norm.Mean[i], norm.Std[i] = -5, 2
	}
	net, _ := benchNet(b, 2)
	defer net.Close()
	d := newDevEvaluator(paths, labels, cfg, audio.Limits{}, norm, 2, 0, 8)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := d.run(b.Context(), net, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*frames)/b.Elapsed().Seconds(), "frames/s")
}

// BenchmarkCutBatch is the data-handling work per batch of 256 alone
// (locating each sample's utterance and cutting its 64×17 image), on one
// goroutine: compare its samples/s with BenchmarkCNNEngine's for the share
// of a step that data handling would cost without double buffering.
func BenchmarkCutBatch(b *testing.B) {
	const bs = 256
	s := benchSet()
	samples := epochSamples(rand.New(rand.NewPCG(1, 1)), s, 0, false)
	img := s.dim * 17
	x := make([]float32, bs*img)
	y := make([]int32, bs)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		lo := (i * bs) % (len(samples) - bs)
		for k, g := range samples[lo : lo+bs] {
			u, t := s.locate(int(g))
			features.ContextImage(x[k*img:(k+1)*img], &s.utts[u], t, 8)
			y[k] = s.labels[u]
		}
	}
	b.ReportMetric(float64(b.N*bs)/b.Elapsed().Seconds(), "samples/s")
}
