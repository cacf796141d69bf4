package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/deep4deep/deep4deep/audio"
	"github.com/deep4deep/deep4deep/calibrate"
	"github.com/deep4deep/deep4deep/defaultmodel"
	"github.com/deep4deep/deep4deep/eval"
)

// fixtureDir is a CNN with random weights: the tests check the service's
// behaviour, not the model's accuracy.
const fixtureDir = "../model/testdata/cnn"

func newServer(t testing.TB, o Options) (*Server, *httptest.Server) {
	t.Helper()
	m, info, err := defaultmodel.Open(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	if o.Scorers == 0 {
		o.Scorers = 2
	}
	s, err := New(m, info, o)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() { ts.Close(); s.Close() })
	return s, ts
}

// tone is a WAV of a 440 Hz tone plus a little noise-like harmonic content.
func tone(t testing.TB, seconds float64) []byte {
	n := int(seconds * 16000)
	x := make([]float32, n)
	for i := range x {
		ph := 2 * math.Pi * float64(i) / 16000
		x[i] = float32(0.3*math.Sin(440*ph) + 0.1*math.Sin(1337*ph) + 0.05*math.Sin(3001*ph))
	}
	var b bytes.Buffer
	if err := audio.EncodeWAV16(&b, x, 16000); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// speech is the synthetic genuine take of testdata, looped or cut to
// seconds, as a 16 kHz WAV.
func speech(t testing.TB, seconds float64) []byte {
	x, rate, err := audio.Decode(mustRead(t, "testdata/genuine.wav"))
	if err != nil {
		t.Fatal(err)
	}
	y := make([]float32, int(seconds*float64(rate)))
	for i := range y {
		y[i] = x[i%len(x)]
	}
	var b bytes.Buffer
	if err := audio.EncodeWAV16(&b, y, rate); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func post(t testing.TB, url, contentType string, body []byte, hdr ...string) (int, map[string]any, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	data, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("%s: answer is not JSON: %q", url, data)
	}
	return resp.StatusCode, v, resp.Header
}

func multipartBody(t testing.TB, files map[string][]byte, order ...string) (string, []byte) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, name := range order {
		fw, err := w.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(files[name])
	}
	w.Close()
	return w.FormDataContentType(), b.Bytes()
}

// TestScore: raw and multipart uploads give the score the library computes
// for the same samples, a label that follows the threshold and a timeline
// of one value per 100 ms whose mean matches the frames.
func TestScore(t *testing.T) {
	_, ts := newServer(t, Options{})
	wav := speech(t, 1.5)
	m, _, err := defaultmodel.Open(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := m.NewScorer(1)
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	x, _, err := audio.Decode(wav)
	if err != nil {
		t.Fatal(err)
	}
	want, err := sc.ScoreSamples(x)
	if err != nil {
		t.Fatal(err)
	}
	ct, mp := multipartBody(t, map[string][]byte{"a.wav": wav}, "a.wav")
	for _, tc := range []struct {
		name, ct string
		body     []byte
	}{{"raw", "audio/wav", wav}, {"multipart", ct, mp}} {
		code, v, _ := post(t, ts.URL+"/v1/score", tc.ct, tc.body)
		if code != 200 {
			t.Fatalf("%s: %d %v", tc.name, code, v)
		}
		if got := v["score"].(float64); math.Abs(got-want) > 1e-9 {
			t.Errorf("%s: score %v, library %v", tc.name, got, want)
		}
		wantLabel := "spoof"
		if want > 0 {
			wantLabel = "genuine"
		}
		if v["label"] != wantLabel || v["threshold"].(float64) != 0 || v["format"] != "WAV" {
			t.Errorf("%s: label %v threshold %v format %v", tc.name, v["label"], v["threshold"], v["format"])
		}
		if d := v["duration_s"].(float64); math.Abs(d-1.5) > 1e-9 {
			t.Errorf("%s: duration %v", tc.name, d)
		}
		frames := v["frames"].([]any)
		// 1.5 s: analysis frames start every 5 ms up to 1.475 s → 15 windows.
		if len(frames) != 15 {
			t.Errorf("%s: %d timeline values, want 15", tc.name, len(frames))
		}
		for _, f := range frames {
			if p := f.(float64); !(p >= 0 && p <= 1) {
				t.Errorf("%s: probability %v", tc.name, p)
			}
		}
		mi := v["model"].(map[string]any)
		if mi["kind"] != "cnn" || len(mi["hash"].(string)) != 64 {
			t.Errorf("%s: model %v", tc.name, mi)
		}
		if _, ok := v["llr"]; ok {
			t.Errorf("%s: llr from an uncalibrated model", tc.name)
		}
		if tc.name == "multipart" && v["file"] != "a.wav" {
			t.Errorf("file %v", v["file"])
		}
	}
	// Detail: waveform and spectrogram.
	code, v, _ := post(t, ts.URL+"/v1/score?detail=1", "", wav)
	if code != 200 {
		t.Fatal(code, v)
	}
	sp := v["spectrogram"].(map[string]any)
	if sp["bands"].(float64) != 64 || sp["frames"].(float64) < 140 || len(v["waveform"].([]any)) != 800 {
		t.Errorf("detail: spectrogram %v×%v, waveform %d", sp["frames"], sp["bands"], len(v["waveform"].([]any)))
	}
}

// TestNoSpeech: a tone is scored but labelled no_speech, with the reason.
func TestNoSpeech(t *testing.T) {
	_, ts := newServer(t, Options{})
	code, v, _ := post(t, ts.URL+"/v1/score", "", tone(t, 1))
	if code != 200 || v["label"] != "no_speech" || v["reason"] == nil || v["reason"] == "" {
		t.Errorf("tone: %d %v", code, v)
	}
	if _, ok := v["score"].(float64); !ok {
		t.Errorf("tone: no score: %v", v)
	}
}

func TestTimeline(t *testing.T) {
	// 40 frames at 5 ms: two 100 ms windows; log-odds 0 → 0.5, ln 3 → 0.75.
	frames := make([]float64, 40)
	for i := 20; i < 40; i++ {
		frames[i] = math.Log(3)
	}
	got := timeline(frames, 0.005, 0.1, 0.2)
	if len(got) != 2 || got[0] != 0.5 || got[1] != 0.75 {
		t.Errorf("timeline = %v, want [0.5 0.75]", got)
	}
}

func TestFormats(t *testing.T) {
	_, ts := newServer(t, Options{})
	mp3, err := os.ReadFile("../audio/testdata/mp3/mono16k.mp3")
	if err != nil {
		t.Fatal(err)
	}
	code, v, _ := post(t, ts.URL+"/v1/score", "audio/mpeg", mp3)
	if code != 200 || v["format"] != "MP3" {
		t.Errorf("MP3: %d %v", code, v)
	}
	ogg, err := os.ReadFile("../audio/testdata/clip.ogg")
	if err != nil {
		t.Fatal(err)
	}
	code, v, _ = post(t, ts.URL+"/v1/score", "audio/ogg", ogg)
	if (&audio.FFmpeg{}).Available() {
		if code != 200 || v["format"] != "Ogg Vorbis" {
			t.Errorf("Ogg with ffmpeg: %d %v", code, v)
		}
	} else if code != 415 || !strings.Contains(v["error"].(string), "ffmpeg") {
		t.Errorf("Ogg without ffmpeg: %d %v", code, v)
	}
	// Without ffmpeg (a path that does not exist): 415 naming the format.
	_, ts2 := newServer(t, Options{FFmpeg: &audio.FFmpeg{Path: "/nonexistent/ffmpeg"}})
	code, v, _ = post(t, ts2.URL+"/v1/score", "", ogg)
	if msg, _ := v["error"].(string); code != 415 || !strings.Contains(msg, "Ogg Vorbis") || !strings.Contains(msg, "install ffmpeg") {
		t.Errorf("Ogg, no ffmpeg: %d %v", code, v)
	}
}

// TestErrors: every bad request gets its status code and a reason, and the
// server keeps answering.
func TestErrors(t *testing.T) {
	_, ts := newServer(t, Options{MaxBodyBytes: 100 << 10, MaxAudioSeconds: 2})
	wav := tone(t, 1)
	truncated := append([]byte(nil), wav[:44]...)
	truncated = append(truncated, 1, 2, 3) // data chunk says 32000 bytes, 3 there
	badFmt := append([]byte(nil), wav...)
	badFmt[22] = 0 // zero channels
	ct, noFile := func() (string, []byte) {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		w.WriteField("other", "x")
		w.Close()
		return w.FormDataContentType(), b.Bytes()
	}()
	for _, tc := range []struct {
		name string
		ct   string
		body []byte
		code int
		msg  string
	}{
		{"text", "", []byte("this is not audio, it is a sentence."), 415, "unsupported audio format"},
		{"empty", "", nil, 400, "empty body"},
		{"truncated WAV", "", truncated, 400, "undecodable WAV"},
		{"zero channels", "", badFmt, 400, "undecodable WAV"},
		{"body too large", "", bytes.Repeat(wav, 4), 413, "larger than"},
		{"audio too long", "", tone(t, 2.5), 413, "limit is 2 s"},
		{"too short", "", tone(t, 0.02), 422, "too short"},
		{"multipart without file", ct, noFile, 400, "\"file\" field"},
		{"junk mp3", "", append([]byte{0xFF, 0xFB, 0x90, 0x00}, bytes.Repeat([]byte{0xAA}, 500)...), 400, "MP3"},
	} {
		code, v, _ := post(t, ts.URL+"/v1/score", tc.ct, tc.body)
		msg, _ := v["error"].(string)
		if code != tc.code || !strings.Contains(msg, tc.msg) {
			t.Errorf("%s: %d %q, want %d with %q", tc.name, code, msg, tc.code, tc.msg)
		}
	}
	if code, v, _ := post(t, ts.URL+"/v1/score", "", wav); code != 200 {
		t.Errorf("after the bad requests: %d %v", code, v)
	}
}

func TestBatch(t *testing.T) {
	_, ts := newServer(t, Options{})
	ct, body := multipartBody(t, map[string][]byte{"a.wav": tone(t, 1), "b.txt": []byte("no audio here"), "c.wav": tone(t, 0.5)}, "a.wav", "b.txt", "c.wav")
	code, v, _ := post(t, ts.URL+"/v1/score/batch", ct, body)
	if code != 200 {
		t.Fatal(code, v)
	}
	res := v["results"].([]any)
	want := []struct {
		file   string
		status float64
	}{{"a.wav", 200}, {"b.txt", 415}, {"c.wav", 200}}
	if len(res) != len(want) {
		t.Fatalf("%d results", len(res))
	}
	for i, w := range want {
		r := res[i].(map[string]any)
		if r["file"] != w.file || r["status"] != w.status {
			t.Errorf("result %d: %v", i, r)
		}
		if w.status == 200 && r["label"] == nil {
			t.Errorf("result %d without label: %v", i, r)
		}
	}
	if code, _, _ := post(t, ts.URL+"/v1/score/batch", "audio/wav", tone(t, 1)); code != 400 {
		t.Errorf("batch without multipart: %d", code)
	}
}

func TestAuth(t *testing.T) {
	_, ts := newServer(t, Options{Token: "s3cret"})
	wav := tone(t, 0.5)
	if code, _, h := post(t, ts.URL+"/v1/score", "", wav); code != 401 || h.Get("WWW-Authenticate") == "" {
		t.Errorf("no token: %d", code)
	}
	if code, _, _ := post(t, ts.URL+"/v1/score", "", wav, "Authorization", "Bearer wrong"); code != 401 {
		t.Errorf("wrong token: %d", code)
	}
	if code, v, _ := post(t, ts.URL+"/v1/score", "", wav, "Authorization", "Bearer s3cret"); code != 200 {
		t.Errorf("right token: %d %v", code, v)
	}
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/": 200, "/static/app.js": 200, "/v1/model": 401, "/metrics": 401} {
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s without token: %d, want %d", path, resp.StatusCode, want)
		}
	}
}

// TestOverload: with every scorer busy past the queue timeout, a request
// gets 503 with Retry-After.
func TestOverload(t *testing.T) {
	s, ts := newServer(t, Options{Scorers: 1, QueueTimeout: 20 * time.Millisecond})
	sc := <-s.scorers // the only scorer is busy
	code, v, h := post(t, ts.URL+"/v1/score", "", tone(t, 0.5))
	s.scorers <- sc
	if code != 503 || h.Get("Retry-After") == "" {
		t.Errorf("busy: %d %v, Retry-After %q", code, v, h.Get("Retry-After"))
	}
	if code, _, _ := post(t, ts.URL+"/v1/score", "", tone(t, 0.5)); code != 200 {
		t.Errorf("free again: %d", code)
	}
}

func TestMetricsAndModel(t *testing.T) {
	_, ts := newServer(t, Options{})
	post(t, ts.URL+"/v1/score", "", tone(t, 1))
	post(t, ts.URL+"/v1/score", "", []byte("junk"))
	resp, err := http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`deep4deep_http_requests_total{code="200",endpoint="/v1/score"} 1`,
		`deep4deep_http_requests_total{code="415",endpoint="/v1/score"} 1`,
		`deep4deep_audio_seconds_scored_total 1`,
		`deep4deep_http_request_duration_seconds_count{endpoint="/v1/score"} 2`,
		`deep4deep_http_in_flight_requests 1`, // the /metrics request itself
		`process_resident_memory_bytes`,
	} {
		if !strings.Contains(string(data), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	resp, err = http.Get(ts.URL + "/v1/model")
	if err != nil {
		t.Fatal(err)
	}
	var mi map[string]any
	json.NewDecoder(resp.Body).Decode(&mi)
	resp.Body.Close()
	if mi["kind"] != "cnn" || mi["features"] != "fbank" || mi["sample_rate"].(float64) != 16000 || mi["name"] != "cnn" {
		t.Errorf("model: %v", mi)
	}
}

func TestPage(t *testing.T) {
	_, ts := newServer(t, Options{})
	for _, p := range []string{"/", "/static/app.js", "/static/style.css"} {
		resp, err := http.Get(ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || len(data) < 500 {
			t.Errorf("%s: %d, %d bytes", p, resp.StatusCode, len(data))
		}
		if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'self'") {
			t.Errorf("%s: CSP %q", p, resp.Header.Get("Content-Security-Policy"))
		}
		// No CDN, no network: nothing but this server is referenced.
		for _, bad := range []string{"http://", "https://", "//cdn"} {
			if strings.Contains(string(data), bad) {
				t.Errorf("%s references %q", p, bad)
			}
		}
	}
	resp, _ := http.Get(ts.URL + "/static/../serve.go")
	resp.Body.Close()
	if resp.StatusCode == 200 {
		t.Error("path traversal served a file")
	}
}

// TestShutdownDrains: a request in flight when the context is cancelled is
// answered, /readyz reports draining, and Serve returns cleanly.
func TestShutdownDrains(t *testing.T) {
	m, info, err := defaultmodel.Open(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(m, info, Options{Scorers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()

	sc := <-s.scorers // hold the scorer: the request waits in the queue
	answered := make(chan int, 1)
	go func() {
		code, _, _ := post(t, url+"/v1/score", "", tone(t, 0.5))
		answered <- code
	}()
	waitFor(t, func() bool { return s.metrics.queuedValue() == 1 })
	cancel()
	waitFor(t, func() bool { return s.draining.Load() })
	s.scorers <- sc
	if code := <-answered; code != 200 {
		t.Errorf("in-flight request: %d", code)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if _, err := http.Get(url + "/healthz"); err == nil {
		t.Error("still accepting after shutdown")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for i := 0; i < 500; i++ {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("condition not reached in 5 s")
}

func TestPanicBecomes500(t *testing.T) {
	s, _ := newServer(t, Options{})
	h := s.instrument("/boom", http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/boom", nil))
	if rec.Code != 500 {
		t.Errorf("panic: %d", rec.Code)
	}
}

// TestCalibrated: with a calibration llr = w·score + b the answer carries
// the LLR, the Bayes threshold of the costs and the label decided on the
// LLR, and the timeline shows σ(w·d + b) of the frame log-odds d.
func TestCalibrated(t *testing.T) {
	const w, b = 1e-3, 1.0
	cal := &calibrate.Map{Kind: calibrate.KindCalibration, Systems: []string{"x"}, Weights: []float64{w}, Offset: b, Prior: 0.5}
	costs := eval.DCFParams{PSpoof: 0.05, CMiss: 1, CFA: 10}
	_, ts := newServer(t, Options{Calibration: cal, Costs: costs})
	_, raw := newServer(t, Options{})
	wav := speech(t, 1)
	code, v, _ := post(t, ts.URL+"/v1/score", "", wav)
	_, r, _ := post(t, raw.URL+"/v1/score", "", wav)
	if code != 200 {
		t.Fatal(code, v)
	}
	score := v["score"].(float64)
	llr, ok := v["llr"].(float64)
	if !ok || math.Abs(llr-(w*score+b)) > 1e-9 || score != r["score"].(float64) {
		t.Fatalf("score %v llr %v (uncalibrated score %v)", score, v["llr"], r["score"])
	}
	thr := math.Log(10 * 0.05 / (1 * 0.95))
	if got := v["threshold"].(float64); math.Abs(got-thr) > 1e-12 {
		t.Errorf("threshold %v, want %v", got, thr)
	}
	want := "spoof"
	if llr >= thr {
		want = "genuine"
	}
	if v["label"] != want {
		t.Errorf("label %v with llr %v", v["label"], llr)
	}
	// The fixture's frame log-odds are within ±100, so σ(w·d + b) lies in
	// σ(0.9)..σ(1.1) = 0.711..0.750.
	for i, p := range v["frames"].([]any) {
		if p := p.(float64); p < 0.71 || p > 0.751 {
			t.Errorf("window %d: calibrated probability %v", i, p)
		}
	}
	if _, ok := r["llr"]; ok || r["threshold"].(float64) != 0 {
		t.Errorf("uncalibrated answer: %v", r)
	}
}
