package features

import (
	"context"
	"errors"
	"fmt"
	"github.com/deep4deep/deep4deep/progress"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/deep4deep/deep4deep/audio"
)

// writeTones writes n short WAV files of different tones into dir.
func writeTones(t testing.TB, dir string, n, samples int) []string {
	t.Helper()
	paths := make([]string, n)
	for i := range paths {
		paths[i] = filepath.Join(dir, fmt.Sprintf("u%03d.wav", i))
		if err := audio.WriteWAV16(paths[i], tone(200+float64(97*i), samples+i*37), 16000); err != nil {
			t.Fatal(err)
		}
	}
	return paths
}

func TestExtractFilesMatchesSerial(t *testing.T) {
	paths := writeTones(t, t.TempDir(), 9, 3000)
	c := DefaultConfig(Fbank)
	ex, _ := New(c)
	want := make([][]float32, len(paths))
	for i, p := range paths {
		x, err := audio.Load(p, 16000)
		if err != nil {
			t.Fatal(err)
		}
		var m Matrix
		ex.Extract(&m, x)
		want[i] = m.Data
	}
	got := make([][]float32, len(paths))
	var mu sync.Mutex
	var lastDone atomic.Int64
	err := ExtractFiles(context.Background(), c, paths, 3, func(i int, m *Matrix) error {
		mu.Lock()
		got[i] = append([]float32(nil), m.Data...)
		mu.Unlock()
		return nil
	}, func(e progress.Event) {
		if e.Unit != "files" || e.Total != len(paths) {
			t.Errorf("progress event %+v, want files of %d", e, len(paths))
		}
		lastDone.Store(int64(e.Done))
	})
	if err != nil {
		t.Fatal(err)
	}
	if lastDone.Load() != int64(len(paths)) {
		t.Errorf("progress ended at %d, want %d", lastDone.Load(), len(paths))
	}
	for i := range paths {
		if !equalF32(got[i], want[i]) {
			t.Errorf("%s: parallel result differs from serial", paths[i])
		}
	}
}

func TestExtractFilesErrors(t *testing.T) {
	dir := t.TempDir()
	paths := writeTones(t, dir, 20, 2000)
	bad := filepath.Join(dir, "bad.wav")
	os.WriteFile(bad, []byte("RIFF\x10\x00\x00\x00WAVEfmt "), 0o644)
	withBad := append(append([]string{}, paths[:5]...), append([]string{bad}, paths[5:]...)...)
	var calls atomic.Int64
	err := ExtractFiles(context.Background(), DefaultConfig(Fbank), withBad, 2, func(int, *Matrix) error {
		calls.Add(1)
		return nil
	}, nil)
	if err == nil || !strings.Contains(err.Error(), "bad.wav") {
		t.Fatalf("err = %v, want one naming bad.wav", err)
	}

	boom := errors.New("boom")
	err = ExtractFiles(context.Background(), DefaultConfig(Fbank), paths, 2, func(i int, _ *Matrix) error {
		if i == 3 {
			return boom
		}
		return nil
	}, nil)
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "u003.wav") {
		t.Fatalf("err = %v, want boom wrapped with u003.wav", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := ExtractFiles(ctx, DefaultConfig(Fbank), paths, 2, func(int, *Matrix) error { return nil }, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: err = %v", err)
	}
	if err := ExtractFiles(context.Background(), Config{Kind: Fbank}, paths, 2, nil, nil); err == nil {
		t.Fatal("invalid config accepted")
	}
}

// BenchmarkExtractFiles measures throughput across workers = GOMAXPROCS:
// run with -cpu 1,2 to see the scaling.
func BenchmarkExtractFiles(b *testing.B) {
	paths := writeTones(b, b.TempDir(), 16, 48000) // 16 × 3 s
	var secs float64
	for i := range paths {
		secs += float64(48000+i*37) / 16000
	}
	c := DefaultConfig(Fbank)
	cpu0 := processCPU()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		err := ExtractFiles(context.Background(), c, paths, runtime.GOMAXPROCS(0), func(int, *Matrix) error { return nil }, nil)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(secs*float64(b.N)/b.Elapsed().Seconds(), "audio-s/s")
	// Throughput per CPU second stays flat across -cpu values when the
	// workers do not get in each other's way (shared-machine friendly).
	if cpu := processCPU() - cpu0; cpu > 0 {
		b.ReportMetric(secs*float64(b.N)/cpu, "audio-s/cpu-s")
	}
}
