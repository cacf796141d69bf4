package features

import (
	"encoding/json"
	"math"
	"sync"
	"testing"
)

func matrix(rows [][]float32) *Matrix {
	m := &Matrix{}
	m.Resize(len(rows), len(rows[0]))
	for i, r := range rows {
		copy(m.Row(i), r)
	}
	return m
}

func TestStatsLeavesOutEdges(t *testing.T) {
	// 8 frames: only frames 3 and 4 count. Their values are 10/20 and 30/30.
	rows := make([][]float32, 8)
	for i := range rows {
		rows[i] = []float32{-1000, 5}
	}
	rows[3] = []float32{10, 30}
	rows[4] = []float32{20, 30}
	s := NewStats(2)
	s.Add(matrix(rows))
	s.Add(matrix(rows[:6])) // 6 frames: nothing left after the edges
	if s.Frames() != 2 {
		t.Fatalf("%d frames counted, want 2", s.Frames())
	}
	n := s.Result()
	if n.Mean[0] != 15 || n.Std[0] != 5 {
		t.Errorf("dim 0: mean %v std %v, want 15 and 5", n.Mean[0], n.Std[0])
	}
	if n.Mean[1] != 30 || n.Std[1] != 1 {
		t.Errorf("constant dim: mean %v std %v, want 30 and the guard 1", n.Mean[1], n.Std[1])
	}
	m := matrix([][]float32{{15, 30}, {25, 31}})
	n.Apply(m)
	want := []float32{0, 0, 2, 1}
	for i := range want {
		if m.Data[i] != want[i] {
			t.Errorf("normalised %v, want %v", m.Data, want)
			break
		}
	}
	if e := NewStats(3).Result(); e.Std[0] != 1 || e.Mean[0] != 0 {
		t.Errorf("empty stats: %+v", e)
	}
}

func TestStatsMergeMatchesSerial(t *testing.T) {
	utts := make([]*Matrix, 12)
	for u := range utts {
		rows := make([][]float32, 10+u)
		for i := range rows {
			rows[i] = []float32{float32(math.Sin(float64(u*100 + i))), float32(u) - 3.5}
		}
		utts[u] = matrix(rows)
	}
	serial := NewStats(2)
	for _, m := range utts {
		serial.Add(m)
	}
	total := NewStats(2)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			s := NewStats(2)
			for u := g; u < len(utts); u += 3 {
				s.Add(utts[u])
			}
			mu.Lock()
			total.Merge(s)
			mu.Unlock()
		}(g)
	}
	wg.Wait()
	a, b := serial.Result(), total.Result()
	for d := 0; d < 2; d++ {
		if math.Abs(float64(a.Mean[d]-b.Mean[d])) > 1e-6 || math.Abs(float64(a.Std[d]-b.Std[d])) > 1e-6 {
			t.Errorf("dim %d: serial %v/%v, merged %v/%v", d, a.Mean[d], a.Std[d], b.Mean[d], b.Std[d])
		}
	}
}

func TestNormalizationJSON(t *testing.T) {
	b, err := json.Marshal(Normalization{Mean: []float32{1.5}, Std: []float32{2}})
	if err != nil || string(b) != `{"mean":[1.5],"std":[2]}` {
		t.Fatalf("%s, %v", b, err)
	}
}

func TestCMVN(t *testing.T) {
	m := &Matrix{Rows: 4, Cols: 2, Data: []float32{1, 5, 2, 5, 3, 5, 6, 5}}
	CMVN(m)
	// Column 0: mean 3, population sd √3.5; column 1 constant: centred only.
	sd := math.Sqrt(3.5)
	want := []float64{-2 / sd, 0, -1 / sd, 0, 0, 0, 3 / sd, 0}
	for i, w := range want {
		if math.Abs(float64(m.Data[i])-w) > 1e-6 {
			t.Fatalf("CMVN = %v, want %v", m.Data, want)
		}
	}
}
