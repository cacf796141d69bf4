package serve

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/deep4deep/deep4deep/audio"
	"github.com/deep4deep/deep4deep/defaultmodel"
	"github.com/deep4deep/deep4deep/model"
)

// loadClip is a 3-s clip: the browser test's genuine take, repeated.
func loadClip(tb testing.TB) []byte {
	x, rate, err := audio.Decode(mustRead(tb, "testdata/genuine.wav"))
	if err != nil {
		tb.Fatal(err)
	}
	n := 3 * rate
	y := make([]float32, n)
	for i := range y {
		y[i] = x[i%len(x)]
	}
	var b bytes.Buffer
	if err := audio.EncodeWAV16(&b, y, rate); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func mustRead(tb testing.TB, p string) []byte {
	tb.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// peakRSS returns the process's peak resident set (VmHWM) in bytes, and
// resetPeakRSS starts a new peak (Linux; 0 elsewhere).
func peakRSS() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb * 1024
		}
	}
	return 0
}

func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// loadResult is what one load level measured.
type loadResult struct {
	requests, busy int
	elapsed        time.Duration
	lat            []time.Duration
}

// runLoad sends clip from clients concurrent goroutines until n requests are
// answered; any answer other than 200 or 503 is an error.
func runLoad(url string, clip []byte, clients, n int) (*loadResult, error) {
	var next atomic.Int64
	var busy atomic.Int64
	lat := make([]time.Duration, n)
	var once sync.Once
	var firstErr error
	var wg sync.WaitGroup
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: time.Minute}
	start := time.Now()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				t0 := time.Now()
				resp, err := client.Post(url, "audio/wav", bytes.NewReader(clip))
				if err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				lat[i] = time.Since(t0)
				switch resp.StatusCode {
				case 200:
				case 503:
					busy.Add(1)
				default:
					once.Do(func() { firstErr = fmt.Errorf("HTTP %d: %s", resp.StatusCode, body) })
					return
				}
			}
		}()
	}
	wg.Wait()
	return &loadResult{requests: n, busy: int(busy.Load()), elapsed: time.Since(start), lat: lat}, firstErr
}

func (r *loadResult) report(b *testing.B, clipSeconds float64) {
	slices.Sort(r.lat)
	ok := float64(r.requests - r.busy)
	b.ReportMetric(float64(r.requests)/r.elapsed.Seconds(), "req/s")
	b.ReportMetric(ok*clipSeconds/r.elapsed.Seconds(), "audio-s/s")
	b.ReportMetric(float64(r.lat[len(r.lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(r.lat[min(len(r.lat)-1, len(r.lat)*99/100)].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(r.busy), "503s")
	b.ReportMetric(peakRSS()/(1<<20), "peak-RSS-MB")
}

// BenchmarkLoad runs 1, 8, 32 and 128 concurrent clients against a server
// on loopback with the built-in model and one scorer per core, each client
// posting 3-s WAV clips, and reports requests/s, audio seconds scored per
// wall second, p50/p99 latency, 503s and the process's peak RSS (server and
// clients share the process). Offline is the same scoring without HTTP
// (decode + score on one goroutine per core, as deep4deep score runs it):
// the ceiling the service is compared with.
//
//	go test ./serve -run '^$' -bench 'Load' -benchtime 100x
func BenchmarkLoad(b *testing.B) {
	clip := loadClip(b)
	const clipSeconds = 3.0
	m, info, err := defaultmodel.Open("")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("offline", func(b *testing.B) {
		resetPeakRSS()
		benchOffline(b, m, clip, clipSeconds)
	})
	for _, clients := range []int{1, 8, 32, 128} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			s, err := New(m, info, Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			ts := httptest.NewServer(s.Handler())
			defer ts.Close()
			runtime.GC()
			resetPeakRSS()
			b.ResetTimer()
			r, err := runLoad(ts.URL+"/v1/score", clip, clients, max(b.N, clients))
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			r.report(b, clipSeconds)
		})
	}
}

func benchOffline(b *testing.B, m *model.Model, clip []byte, clipSeconds float64) {
	workers := runtime.GOMAXPROCS(0)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	b.ResetTimer()
	start := time.Now()
	for w := 0; w < workers; w++ {
		sc, err := m.NewScorer(1)
		if err != nil {
			b.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer sc.Close()
			dec := &audio.Decoder{}
			for int(next.Add(1)-1) < b.N {
				x, _, err := dec.DecodeTo(context.Background(), clip, 16000)
				if err == nil {
					_, err = sc.ScoreSamples(x)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
	b.ReportMetric(float64(b.N)/el.Seconds(), "req/s")
	b.ReportMetric(float64(b.N)*clipSeconds/el.Seconds(), "audio-s/s")
	b.ReportMetric(peakRSS()/(1<<20), "peak-RSS-MB")
}

// TestLoadSmoke: a short load at 8 clients on a one-scorer server with a
// short queue: every answer is 200 or 503, and the server still answers
// afterwards. (The full load figures come from BenchmarkLoad.)
func TestLoadSmoke(t *testing.T) {
	s, ts := newServer(t, Options{Scorers: 1, QueueTimeout: 50 * time.Millisecond})
	_ = s
	clip := tone(t, 0.5)
	r, err := runLoad(ts.URL+"/v1/score", clip, 8, 24)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d requests, %d answered 503, %.2f s", r.requests, r.busy, r.elapsed.Seconds())
	if code, _, _ := post(t, ts.URL+"/v1/score", "", clip); code != 200 {
		t.Errorf("after the load: %d", code)
	}
}
