package features

import (
	"fmt"
	"math"
)

// EdgeFrames is how many frames at each end of an utterance the
// normalisation statistics leave out (the seed's choice: onsets and the
// zero-padded tail are atypical).
const EdgeFrames = 3

// Normalization holds per-dimension statistics of the train set; Apply maps
// each feature x to (x − Mean)/Std. It is stored in a model's config.json as
// "normalization": {"mean": [...], "std": [...]}.
type Normalization struct {
	Mean []float32 `json:"mean"`
	Std  []float32 `json:"std"`
}

// Apply normalises m in place: m[t][d] = (m[t][d] − Mean[d]) / Std[d]. It
// panics if m's width differs from the statistics' (callers check
// dimensions when they load a model).
func (n Normalization) Apply(m *Matrix) {
	if m.Cols != len(n.Mean) || m.Cols != len(n.Std) {
		panic(fmt.Sprintf("features: normalising %d-dim features with %d/%d-dim statistics", m.Cols, len(n.Mean), len(n.Std)))
	}
	for t := 0; t < m.Rows; t++ {
		row := m.Row(t)
		for d, v := range row {
			row[d] = (v - n.Mean[d]) / n.Std[d]
		}
	}
}

// Stats accumulates per-dimension sums for a Normalization. Each goroutine
// may keep its own Stats and Merge them at the end; one Stats is not safe
// for concurrent use.
type Stats struct {
	n          int64
	sum, sumSq []float64
}

// NewStats returns an empty accumulator for dim-dimensional features.
func NewStats(dim int) *Stats {
	return &Stats{sum: make([]float64, dim), sumSq: make([]float64, dim)}
}

// Frames is the number of frames accumulated so far.
func (s *Stats) Frames() int64 { return s.n }

// Add accumulates the frames of one utterance, leaving out its first and last
// EdgeFrames frames (an utterance of 2·EdgeFrames frames or fewer adds
// nothing). Sums are kept in float64. It panics if m's width differs.
func (s *Stats) Add(m *Matrix) {
	if m.Cols != len(s.sum) {
		panic(fmt.Sprintf("features: Stats of dim %d given %d-dim frames", len(s.sum), m.Cols))
	}
	for t := EdgeFrames; t < m.Rows-EdgeFrames; t++ {
		for d, v := range m.Row(t) {
			x := float64(v)
			s.sum[d] += x
			s.sumSq[d] += x * x
		}
		s.n++
	}
}

// Merge adds o's sums into s.
func (s *Stats) Merge(o *Stats) {
	if len(o.sum) != len(s.sum) {
		panic("features: merging Stats of different dimensions")
	}
	s.n += o.n
	for d := range s.sum {
		s.sum[d] += o.sum[d]
		s.sumSq[d] += o.sumSq[d]
	}
}

// Result returns the mean and the population standard deviation,
//
//	μ_d = Σx/n,  σ_d = √(Σx²/n − μ_d²).
//
// A dimension with σ_d = 0 (constant, or no frames at all) gets σ_d = 1,
// so Apply only centres it instead of dividing by zero.
func (s *Stats) Result() Normalization {
	dim := len(s.sum)
	n := Normalization{Mean: make([]float32, dim), Std: make([]float32, dim)}
	for d := 0; d < dim; d++ {
		n.Std[d] = 1
		if s.n == 0 {
			continue
		}
		mu := s.sum[d] / float64(s.n)
		v := s.sumSq[d]/float64(s.n) - mu*mu
		n.Mean[d] = float32(mu)
		// Cancellation can leave a tiny positive variance for a constant
		// dimension; treat anything below float32 resolution as zero.
		if v > 0 && v > 1e-12*mu*mu {
			n.Std[d] = float32(math.Sqrt(v))
		}
	}
	return n
}

// CMVN normalises m in place, per utterance, to zero mean and unit variance per dimension
// over its own frames (cepstral mean and variance normalisation):
//
//	x'[t][d] = (x[t][d] − μ_d) / σ_d,  μ_d = (1/T) Σ_t x[t][d],
//	σ_d² = (1/T) Σ_t (x[t][d] − μ_d)²
//
// A dimension with σ_d below 1e-10 (constant, or a single frame) is only
// centred. Sums run in float64.
func CMVN(m *Matrix) {
	if m.Rows == 0 {
		return
	}
	mean := make([]float64, m.Cols)
	sq := make([]float64, m.Cols)
	for t := 0; t < m.Rows; t++ {
		for d, v := range m.Row(t) {
			mean[d] += float64(v)
		}
	}
	for d := range mean {
		mean[d] /= float64(m.Rows)
	}
	for t := 0; t < m.Rows; t++ {
		for d, v := range m.Row(t) {
			e := float64(v) - mean[d]
			sq[d] += e * e
		}
	}
	for d := range sq {
		sd := math.Sqrt(sq[d] / float64(m.Rows))
		if sd < 1e-10 {
			sd = 1
		}
		sq[d] = 1 / sd
	}
	for t := 0; t < m.Rows; t++ {
		row := m.Row(t)
		for d, v := range row {
			row[d] = float32((float64(v) - mean[d]) * sq[d])
		}
	}
}
