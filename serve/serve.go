// Package serve is deep4deep's HTTP service: replay detection for a voice
// login flow to call, and a web page to try clips on.
//
// Endpoints (JSON unless stated):
//
//	POST /v1/score        one clip: a raw audio body, or multipart/form-data
//	                      with a "file" field
//	POST /v1/score/batch  multipart/form-data, several "file" fields
//	GET  /v1/model        what model answers
//	GET  /healthz         the process is up (never authenticated)
//	GET  /readyz          the model is loaded and the server is not draining
//	GET  /metrics         Prometheus text format
//	GET  /                the embedded web page (no CDN, no network)
//
// Scorers keep buffers and are not safe for concurrent use, so the server
// holds a fixed pool of them, one per core by default. A request waits for
// a free scorer up to Options.QueueTimeout and then gets 503 with
// Retry-After. Request bodies are bounded (413), and so is the number of
// requests decoding at once, so memory stays bounded under any load.
//
// Clips without speech (silence, noise, tones: the speech check of
// model.Prediction) are answered 200 with the label "no_speech" and a
// "reason", their score still computed, as predict prints them.
//
// Status codes: 400 undecodable audio (with the reason), 401 missing or
// wrong token, 413 body or audio too long, 415 unknown format (or a format
// only ffmpeg decodes when it is not installed), 422 audio too short to
// score, 503 overloaded or draining. A panic in a handler is logged and
// answered 500; it never stops the process.
package serve

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/deep4deep/deep4deep/audio"
	"github.com/deep4deep/deep4deep/calibrate"
	"github.com/deep4deep/deep4deep/defaultmodel"
	"github.com/deep4deep/deep4deep/eval"
	"github.com/deep4deep/deep4deep/model"
)

// Options configures a Server. The zero value of a field means its default.
type Options struct {
	// MaxBodyBytes bounds a request body (default 20 MB).
	MaxBodyBytes int64
	// MaxAudioSeconds bounds the duration of one clip (default 60).
	MaxAudioSeconds float64
	// MinAudioSeconds is the shortest clip scored (default 0.2): shorter
	// clips get 422. The network sees 85 ms of context per frame; a verdict
	// on less than a fifth of a second of audio would mean little.
	MinAudioSeconds float64
	// MaxBatchFiles bounds the files of one batch request (default 32).
	MaxBatchFiles int
	// ReadTimeout, WriteTimeout and IdleTimeout are the http.Server's
	// (defaults 30 s, 60 s, 120 s).
	ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// Scorers is the size of the scorer pool (default: the number of cores).
	Scorers int
	// QueueTimeout is how long a request waits for a scorer, or for a
	// decoding slot, before a 503 (default 10 s).
	QueueTimeout time.Duration
	// ShutdownTimeout bounds the draining of in-flight requests on shutdown
	// (default 30 s).
	ShutdownTimeout time.Duration
	// Token, if set, is required as "Authorization: Bearer TOKEN" on every
	// endpoint but /healthz, /readyz and the page's static files.
	Token string
	// FFmpeg decodes the formats the audio package does not (nil: ffmpeg
	// from $PATH, when installed).
	FFmpeg *audio.FFmpeg
	// Costs are the spoof prior and error costs of the decision on
	// calibrated LLRs: genuine when llr ≥ ln(Cfa·Pspoof / (Cmiss·(1−Pspoof)))
	// (zero value: eval.ASVspoof5). Uncalibrated models decide score > 0.
	Costs eval.DCFParams
	// Calibration overrides the model's calibration (nil: the one the model
	// info carries, if any).
	Calibration *calibrate.Map
	// NoCalibration ignores any calibration: raw scores, threshold 0.
	NoCalibration bool
	// Logger receives one structured line per request (nil: discard).
	Logger *slog.Logger
}

func (o *Options) defaults() {
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 20 << 20
	}
	if o.MaxAudioSeconds <= 0 {
		o.MaxAudioSeconds = 60
	}
	if o.MinAudioSeconds <= 0 {
		o.MinAudioSeconds = 0.2
	}
	if o.MaxBatchFiles <= 0 {
		o.MaxBatchFiles = 32
	}
	if o.ReadTimeout <= 0 {
		o.ReadTimeout = 30 * time.Second
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 60 * time.Second
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 120 * time.Second
	}
	if o.Scorers <= 0 {
		o.Scorers = runtime.GOMAXPROCS(0)
	}
	if o.QueueTimeout <= 0 {
		o.QueueTimeout = 10 * time.Second
	}
	if o.ShutdownTimeout <= 0 {
		o.ShutdownTimeout = 30 * time.Second
	}
	if o.Costs == (eval.DCFParams{}) {
		o.Costs = eval.ASVspoof5
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// Server answers the endpoints of the package doc with one model.
type Server struct {
	opts    Options
	model   *model.Model
	info    *defaultmodel.Info
	scorers chan *model.FramePredictor
	// decoding bounds the requests reading and decoding at once (memory:
	// each holds a body of up to MaxBodyBytes and its samples).
	decoding chan struct{}
	decoder  audio.Decoder
	// cal maps scores to LLRs (nil: uncalibrated); threshold is the
	// decision threshold on the LLR, or 0 on the raw score.
	cal       *calibrate.Map
	threshold float64
	metrics   *metrics
	handler   http.Handler
	draining  atomic.Bool
	closed    atomic.Bool
}

// New makes a server for m, described by info. It builds the scorer pool
// now, so that a model that cannot score fails here and not on the first
// request. Close releases the scorers.
func New(m *model.Model, info *defaultmodel.Info, o Options) (*Server, error) {
	o.defaults()
	if m.Config.Features.SampleRate <= 0 {
		return nil, fmt.Errorf("model has sample rate %d", m.Config.Features.SampleRate)
	}
	s := &Server{
		opts:     o,
		model:    m,
		info:     info,
		scorers:  make(chan *model.FramePredictor, o.Scorers),
		decoding: make(chan struct{}, 2*o.Scorers+2),
		metrics:  newMetrics(),
	}
	if !o.Costs.Valid() {
		return nil, fmt.Errorf("costs %+v: want a spoof prior in (0, 1) and positive costs", o.Costs)
	}
	switch {
	case o.NoCalibration:
	case o.Calibration != nil:
		s.cal = o.Calibration
	case info.Calibration != nil:
		s.cal = info.Calibration
	}
	if s.cal != nil {
		if len(s.cal.Weights) != 1 {
			return nil, fmt.Errorf("calibration maps %d systems; want 1", len(s.cal.Weights))
		}
		s.threshold = o.Costs.Threshold()
	}
	// Decoding stops a little past the limit, so that the answer can say
	// how long the clip is without decoding all of a long one.
	lim := audio.Limits{MaxDuration: time.Duration((o.MaxAudioSeconds + 1) * float64(time.Second))}
	s.decoder = audio.Decoder{FFmpeg: o.FFmpeg, Limits: lim}
	for i := 0; i < o.Scorers; i++ {
		fp, err := m.NewFramePredictor(1)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.scorers <- fp
	}
	s.handler = s.routes()
	return s, nil
}

// Handler returns the server's HTTP handler (for tests and embedding).
func (s *Server) Handler() http.Handler { return s.handler }

// Close releases the scorers. Requests in flight must be finished.
func (s *Server) Close() {
	if s.closed.Swap(true) {
		return
	}
	for {
		select {
		case sc := <-s.scorers:
			sc.Close()
		default:
			return
		}
	}
}

// Serve answers on ln until ctx is cancelled, then stops accepting, drains
// the requests in flight (up to ShutdownTimeout) and returns. /readyz
// answers 503 while draining.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.handler,
		ReadTimeout:       s.opts.ReadTimeout,
		ReadHeaderTimeout: min(s.opts.ReadTimeout, 10*time.Second),
		WriteTimeout:      s.opts.WriteTimeout,
		IdleTimeout:       s.opts.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.opts.Logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.draining.Store(true)
	s.opts.Logger.Info("shutting down: draining requests in flight", "timeout", s.opts.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), s.opts.ShutdownTimeout)
	defer cancel()
	err := hs.Shutdown(sctx)
	if e := <-errc; e != nil && !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	return err
}

// routes builds the handler tree: every endpoint wrapped in metrics,
// logging, panic recovery and (where it applies) authentication.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern, endpoint string, auth bool, h http.HandlerFunc) {
		var hh http.Handler = h
		if auth && s.opts.Token != "" {
			hh = s.authenticate(hh)
		}
		mux.Handle(pattern, s.instrument(endpoint, hh))
	}
	handle("POST /v1/score", "/v1/score", true, s.handleScore)
	handle("POST /v1/score/batch", "/v1/score/batch", true, s.handleBatch)
	handle("GET /v1/model", "/v1/model", true, s.handleModel)
	handle("GET /healthz", "/healthz", false, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	handle("GET /readyz", "/readyz", false, func(w http.ResponseWriter, r *http.Request) {
		if s.draining.Load() || s.closed.Load() {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "draining"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	handle("GET /metrics", "/metrics", true, s.metrics.handler().ServeHTTP)
	handle("GET /{$}", "/", false, s.handlePage)
	handle("GET /static/", "/static", false, s.handleStatic)
	return mux
}

// authenticate requires the bearer token, compared in constant time.
func (s *Server) authenticate(next http.Handler) http.Handler {
	want := []byte("Bearer " + s.opts.Token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := []byte(r.Header.Get("Authorization"))
		if subtle.ConstantTimeCompare(got, want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="deep4deep"`)
			writeError(w, http.StatusUnauthorized, "missing or wrong bearer token")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// statusWriter records the status code for metrics and logs.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// instrument counts, times and logs every request and turns a handler panic
// into a 500.
func (s *Server) instrument(endpoint string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		s.metrics.inFlight.Inc()
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.opts.Logger.Error("handler panic", "endpoint", endpoint, "panic", fmt.Sprint(p))
				if sw.code == 0 {
					writeError(sw, http.StatusInternalServerError, "internal error")
				}
			}
			s.metrics.inFlight.Dec()
			code := sw.code
			if code == 0 {
				code = http.StatusOK
			}
			d := time.Since(start)
			s.metrics.requests.WithLabelValues(endpoint, strconv.Itoa(code)).Inc()
			s.metrics.latency.WithLabelValues(endpoint).Observe(d.Seconds())
			if endpoint != "/healthz" && endpoint != "/readyz" && endpoint != "/metrics" {
				s.opts.Logger.Info("request", "method", r.Method, "path", r.URL.Path,
					"code", code, "ms", float64(d.Microseconds())/1000, "bytes_in", r.ContentLength,
					"remote", r.RemoteAddr)
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

func (s *Server) handleModel(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, struct {
		*defaultmodel.Info
		Threshold  float64 `json:"threshold"` // on llr when calibrated, else on score
		SampleRate int     `json:"sample_rate"`
		Scorers    int     `json:"scorers"`
		Limits     limits  `json:"limits"`
		FFmpeg     bool    `json:"ffmpeg"`
	}{s.info, s.threshold, s.model.Config.Features.SampleRate, s.opts.Scorers,
		limits{s.opts.MaxBodyBytes, s.opts.MaxAudioSeconds, s.opts.MinAudioSeconds, s.opts.MaxBatchFiles}, s.opts.FFmpeg.Available()})
}

type limits struct {
	MaxBodyBytes    int64   `json:"max_body_bytes"`
	MaxAudioSeconds float64 `json:"max_audio_seconds"`
	MinAudioSeconds float64 `json:"min_audio_seconds"`
	MaxBatchFiles   int     `json:"max_batch_files"`
}

// httpError is an error with the status code it answers.
type httpError struct {
	code int
	msg  string
}

func (e *httpError) Error() string { return e.msg }

func errorf(code int, format string, a ...any) *httpError {
	return &httpError{code, fmt.Sprintf(format, a...)}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	_ = enc.Encode(v) // the client may be gone; nothing to do
}

func writeError(w http.ResponseWriter, code int, msg string) {
	if code == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	writeJSON(w, code, map[string]any{"error": msg, "code": code})
}

// asHTTPError maps any error to its status code and message.
func asHTTPError(err error) *httpError {
	var he *httpError
	if errors.As(err, &he) {
		return he
	}
	return &httpError{http.StatusInternalServerError, strings.TrimSpace(err.Error())}
}
