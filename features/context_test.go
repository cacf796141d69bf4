package features

import "testing"

func TestContextImage(t *testing.T) {
	// 5 frames × 3 dims; value = 10·frame + dim.
	m := &Matrix{}
	m.Resize(5, 3)
	for i := 0; i < 5; i++ {
		for d := 0; d < 3; d++ {
			m.Row(i)[d] = float32(10*i + d)
		}
	}
	for _, tc := range []struct {
		t, half int
		frames  []int // source frame of each image column
	}{
		{0, 2, []int{0, 0, 0, 1, 2}},
		{1, 2, []int{0, 0, 1, 2, 3}},
		{2, 2, []int{0, 1, 2, 3, 4}},
		{4, 2, []int{2, 3, 4, 4, 4}},
		{0, 0, []int{0}},
		{2, 4, []int{0, 0, 0, 1, 2, 3, 4, 4, 4}},
	} {
		w := 2*tc.half + 1
		dst := make([]float32, 3*w+1)
		dst[3*w] = -7 // sentinel past the image
		ContextImage(dst, m, tc.t, tc.half)
		for d := 0; d < 3; d++ {
			for j := 0; j < w; j++ {
				if want := float32(10*tc.frames[j] + d); dst[d*w+j] != want {
					t.Errorf("t=%d half=%d: pixel (%d,%d) = %v, want %v", tc.t, tc.half, d, j, dst[d*w+j], want)
				}
			}
		}
		if dst[3*w] != -7 {
			t.Errorf("t=%d half=%d wrote past the image", tc.t, tc.half)
		}
	}
	// A one-frame utterance repeats its frame everywhere.
	one := &Matrix{Rows: 1, Cols: 2, Data: []float32{4, 5}}
	img := make([]float32, 2*17)
	ContextImage(img, one, 0, ContextHalf)
	for j := 0; j < 17; j++ {
		if img[j] != 4 || img[17+j] != 5 {
			t.Fatalf("one-frame image %v", img)
		}
	}
}

func TestContextImagesBatch(t *testing.T) {
	m := &Matrix{}
	m.Resize(40, 64)
	for i := range m.Data {
		m.Data[i] = float32(i)
	}
	const size = 64 * 17
	batch := make([]float32, 10*size)
	one := make([]float32, size)
	ContextImages(batch, m, 30, 10, ContextHalf)
	for i := 0; i < 10; i++ {
		ContextImage(one, m, 30+i, ContextHalf)
		for k := range one {
			if batch[i*size+k] != one[k] {
				t.Fatalf("image %d differs at %d", i, k)
			}
		}
	}
	if a := testing.AllocsPerRun(20, func() { ContextImages(batch, m, 0, 10, ContextHalf) }); a != 0 {
		t.Errorf("ContextImages allocates %v times per call", a)
	}
}

func BenchmarkContextImages(b *testing.B) {
	m := &Matrix{}
	m.Resize(600, 64)
	batch := make([]float32, 256*64*17)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ContextImages(batch, m, i%300, 256, ContextHalf)
	}
	b.ReportMetric(256*float64(b.N)/b.Elapsed().Seconds(), "images/s")
}
