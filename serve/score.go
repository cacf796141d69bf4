package serve

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	"github.com/deep4deep/deep4deep/audio"
	"github.com/deep4deep/deep4deep/defaultmodel"
	"github.com/deep4deep/deep4deep/features"
	"github.com/deep4deep/deep4deep/model"
)

// FrameStep is the time step of the genuine-probability timeline, seconds.
const FrameStep = 0.1

// Result is the answer to one scored clip.
type Result struct {
	// File is the uploaded file name (multipart uploads only).
	File string `json:"file,omitempty"`
	// Score is the model's raw score: higher means genuine.
	Score float64 `json:"score"`
	// LLR is the calibrated log-likelihood ratio of genuine against spoof,
	// present only when the model is calibrated.
	LLR *float64 `json:"llr,omitempty"`
	// Label is "no_speech" when the clip holds no speech (Reason says why),
	// else "genuine" when the LLR is at least Threshold (calibrated: the
	// Bayes threshold of Options.Costs) or the score is above 0
	// (uncalibrated, Threshold 0), else "spoof".
	Label     string  `json:"label"`
	Reason    string  `json:"reason,omitempty"`
	Threshold float64 `json:"threshold"`
	// DurationS is the clip's duration in seconds.
	DurationS float64  `json:"duration_s"`
	Format    string   `json:"format"`
	Model     modelRef `json:"model"`
	// FrameStepS is the step of Frames in seconds (0.1).
	FrameStepS float64 `json:"frame_step_s"`
	// Frames is the genuine probability of each FrameStepS of the clip: the
	// mean over the window's analysis frames of σ(frame log-odds), the
	// frame log-odds calibrated like the utterance score when the model is.
	Frames []float64 `json:"frames"`
	// Detail (with ?detail=1): the waveform envelope and log-mel
	// spectrogram the web page draws.
	Waveform    []float32    `json:"waveform,omitempty"`
	Spectrogram *spectrogram `json:"spectrogram,omitempty"`
}

type modelRef struct {
	Name          string `json:"name"`
	Kind          string `json:"kind"`
	RecipeVersion string `json:"recipe_version"`
	Hash          string `json:"hash"`
}

func refOf(i *defaultmodel.Info) modelRef {
	return modelRef{i.Name, i.Kind, i.RecipeVersion, i.Hash}
}

// spectrogram is a log-mel spectrogram quantised to bytes: Data holds
// Frames × Bands values, frame-major, lowest band first, base64-encoded;
// value v stands for Min + v/255·(Max−Min) (log10 power).
type spectrogram struct {
	Bands  int     `json:"bands"`
	Frames int     `json:"frames"`
	StepS  float64 `json:"step_s"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	Data   string  `json:"data"`
}

// acquire takes a slot from sem, waiting up to the queue timeout.
func (s *Server) acquire(ctx context.Context, sem chan struct{}) error {
	select {
	case sem <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(s.opts.QueueTimeout)
	defer t.Stop()
	select {
	case sem <- struct{}{}:
		return nil
	case <-t.C:
		return errorf(http.StatusServiceUnavailable, "server busy: no capacity within %v; retry later", s.opts.QueueTimeout)
	case <-ctx.Done():
		return errorf(http.StatusServiceUnavailable, "request cancelled while waiting")
	}
}

// scorer takes a scorer from the pool, waiting up to the queue timeout.
func (s *Server) scorer(ctx context.Context) (*model.FramePredictor, error) {
	select {
	case sc := <-s.scorers:
		return sc, nil
	default:
	}
	s.metrics.queued.Inc()
	defer s.metrics.queued.Dec()
	t := time.NewTimer(s.opts.QueueTimeout)
	defer t.Stop()
	select {
	case sc := <-s.scorers:
		return sc, nil
	case <-t.C:
		return nil, errorf(http.StatusServiceUnavailable, "server busy: no scorer free within %v; retry later", s.opts.QueueTimeout)
	case <-ctx.Done():
		return nil, errorf(http.StatusServiceUnavailable, "request cancelled while waiting for a scorer")
	}
}

func (s *Server) handleScore(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		writeError(w, http.StatusServiceUnavailable, "server is shutting down")
		return
	}
	if err := s.acquire(r.Context(), s.decoding); err != nil {
		s.fail(w, err)
		return
	}
	defer func() { <-s.decoding }()
	r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes)
	name, data, err := s.readOne(r)
	if err != nil {
		s.fail(w, err)
		return
	}
	detail := r.URL.Query().Get("detail") == "1"
	res, err := s.scoreData(r.Context(), data, detail)
	if err != nil {
		s.fail(w, err)
		return
	}
	res.File = name
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) fail(w http.ResponseWriter, err error) {
	he := asHTTPError(err)
	writeError(w, he.code, he.msg)
}

// readOne returns the clip of a score request: the raw body, or the "file"
// field of a multipart form.
func (s *Server) readOne(r *http.Request) (string, []byte, error) {
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		data, err := readAll(r.Body)
		return "", data, err
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return "", nil, errorf(http.StatusBadRequest, "multipart form without a \"file\" field")
		}
		if err != nil {
			return "", nil, bodyError(err, "multipart form")
		}
		if p.FormName() != "file" {
			continue
		}
		data, err := readAll(p)
		return p.FileName(), data, err
	}
}

// readAll reads a body part, mapping a too-large body to 413.
func readAll(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, bodyError(err, "body")
	}
	if len(data) == 0 {
		return nil, errorf(http.StatusBadRequest, "empty body: send the audio file as the body or as the \"file\" field of a multipart form")
	}
	return data, nil
}

func bodyError(err error, what string) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errorf(http.StatusRequestEntityTooLarge, "request body larger than %d bytes", mbe.Limit)
	}
	return errorf(http.StatusBadRequest, "reading the %s: %v", what, err)
}

// scoreData decodes and scores one clip.
func (s *Server) scoreData(ctx context.Context, data []byte, detail bool) (*Result, error) {
	rate := s.model.Config.Features.SampleRate
	samples, format, err := s.decoder.DecodeTo(ctx, data, rate)
	if err != nil {
		return nil, decodeError(format, err, s.opts.MaxAudioSeconds)
	}
	dur := float64(len(samples)) / float64(rate)
	if dur > s.opts.MaxAudioSeconds {
		return nil, errorf(http.StatusRequestEntityTooLarge, "audio is %.1f s long; the limit is %g s", dur, s.opts.MaxAudioSeconds)
	}
	if dur < s.opts.MinAudioSeconds {
		return nil, errorf(http.StatusUnprocessableEntity, "audio too short to score (%.3f s; the minimum is %g s)", dur, s.opts.MinAudioSeconds)
	}
	sc, err := s.scorer(ctx)
	if err != nil {
		return nil, err
	}
	frames := make([]float64, 0, len(samples)/80+1)
	pred, frames, err := sc.Predict(samples, frames)
	s.scorers <- sc
	if errors.Is(err, model.ErrNoFrames) {
		return nil, errorf(http.StatusUnprocessableEntity, "audio too short to score (%.3f s)", dur)
	}
	if err != nil {
		return nil, errorf(http.StatusBadRequest, "cannot score this audio: %v", err)
	}
	s.metrics.audioSeconds.Add(dur)
	score, label := pred.Score, pred.Label
	var llr *float64
	if s.cal != nil {
		v := s.cal.Apply([]float64{score})
		llr = &v
		if label != model.LabelNoSpeech {
			label = model.LabelSpoof
			if v >= s.threshold {
				label = model.LabelGenuine
			}
		}
		for i, d := range frames {
			frames[i] = s.cal.Apply([]float64{d})
		}
	}
	res := &Result{
		Score: score, LLR: llr, Label: label, Reason: pred.Speech.Reason, Threshold: s.threshold, DurationS: dur,
		Format: string(format), Model: refOf(s.info), FrameStepS: FrameStep,
		Frames: timeline(frames, s.model.Config.Features.HopSeconds, FrameStep, dur),
	}
	if detail {
		res.Waveform = envelope(samples, 800)
		sp, err := logMel(samples, rate)
		if err != nil {
			return nil, errorf(http.StatusBadRequest, "spectrogram: %v", err)
		}
		res.Spectrogram = sp
	}
	return res, nil
}

// decodeError maps a decoding error to its status code.
func decodeError(format audio.Format, err error, maxSeconds float64) error {
	var nf *audio.NeedsFFmpegError
	switch {
	case errors.As(err, &nf), errors.Is(err, audio.ErrUnsupportedFormat):
		return errorf(http.StatusUnsupportedMediaType, "%v", err)
	case audio.IsTooLong(err):
		return errorf(http.StatusRequestEntityTooLarge, "audio longer than the limit of %g s", maxSeconds)
	case errors.Is(err, context.Canceled):
		return errorf(http.StatusServiceUnavailable, "request cancelled")
	}
	if format == audio.FormatUnknown {
		return errorf(http.StatusBadRequest, "undecodable audio: %v", err)
	}
	return errorf(http.StatusBadRequest, "undecodable %s audio: %v", format, err)
}

// timeline averages the genuine probability σ(d) of the analysis frames
// (one every hop seconds) over windows of step seconds covering dur.
func timeline(frames []float64, hop, step, dur float64) []float64 {
	n := int(math.Ceil(dur/step - 1e-9))
	if n < 1 {
		n = 1
	}
	sum := make([]float64, n)
	cnt := make([]int, n)
	for t, d := range frames {
		i := min(int(float64(t)*hop/step+1e-9), n-1)
		sum[i] += 1 / (1 + math.Exp(-d))
		cnt[i]++
	}
	out := make([]float64, 0, n)
	for i := range sum {
		if cnt[i] == 0 {
			break // the tail after the last full analysis window
		}
		out = append(out, math.Round(sum[i]/float64(cnt[i])*1e4)/1e4)
	}
	return out
}

// envelope returns the peak absolute sample of each of (at most) n equal
// parts of x.
func envelope(x []float32, n int) []float32 {
	if len(x) < n {
		n = len(x)
	}
	out := make([]float32, n)
	for i := range out {
		lo, hi := i*len(x)/n, (i+1)*len(x)/n
		var p float32
		for _, v := range x[lo:hi] {
			p = max(p, v, -v)
		}
		out[i] = float32(math.Round(float64(p)*1e4) / 1e4)
	}
	return out
}

// logMel computes the seed's log-mel filterbank of x (64 bands, 5 ms hop),
// keeps every second frame (10 ms) and quantises it to bytes.
func logMel(x []float32, rate int) (*spectrogram, error) {
	c := features.DefaultConfig(features.Fbank)
	c.SampleRate = rate
	ex, err := features.New(c)
	if err != nil {
		return nil, err
	}
	var m features.Matrix
	if err := ex.Extract(&m, x); err != nil {
		return nil, err
	}
	const keep = 2
	n := (m.Rows + keep - 1) / keep
	lo, hi := math.Inf(1), math.Inf(-1)
	for t := 0; t < m.Rows; t += keep {
		for _, v := range m.Row(t) {
			lo, hi = math.Min(lo, float64(v)), math.Max(hi, float64(v))
		}
	}
	// Show 8 decades at most below the peak: silence (log10 eps) would
	// otherwise flatten the picture.
	lo = math.Max(lo, hi-8)
	if !(hi > lo) {
		hi = lo + 1
	}
	buf := make([]byte, 0, n*m.Cols)
	for t := 0; t < m.Rows; t += keep {
		for _, v := range m.Row(t) {
			q := (float64(v) - lo) / (hi - lo) * 255
			buf = append(buf, byte(math.Round(math.Max(0, math.Min(255, q)))))
		}
	}
	return &spectrogram{Bands: m.Cols, Frames: n, StepS: c.HopSeconds * keep, Min: lo, Max: hi,
		Data: base64.StdEncoding.EncodeToString(buf)}, nil
}

// batchItem is one file's answer in a batch: the result, or an error with
// its status code.
type batchItem struct {
	*Result
	File   string `json:"file"`
	Status int    `json:"status"`
	Error  string `json:"error,omitempty"`
}

func (s *Server) handleBatch(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		writeError(w, http.StatusServiceUnavailable, "server is shutting down")
		return
	}
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		writeError(w, http.StatusBadRequest, "a batch is multipart/form-data with one \"file\" field per clip")
		return
	}
	if err := s.acquire(r.Context(), s.decoding); err != nil {
		s.fail(w, err)
		return
	}
	defer func() { <-s.decoding }()
	r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes)
	mr := multipart.NewReader(r.Body, params["boundary"])
	var items []batchItem
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			s.fail(w, bodyError(err, "multipart form"))
			return
		}
		if p.FormName() != "file" {
			continue
		}
		if len(items) == s.opts.MaxBatchFiles {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("more than %d files in one batch", s.opts.MaxBatchFiles))
			return
		}
		it := batchItem{File: p.FileName(), Status: http.StatusOK}
		data, err := readAll(p)
		if err == nil {
			it.Result, err = s.scoreData(r.Context(), data, false)
		}
		if err != nil {
			he := asHTTPError(err)
			if he.code == http.StatusRequestEntityTooLarge && strings.HasPrefix(he.msg, "request body") {
				s.fail(w, he) // the whole request is too large
				return
			}
			it.Status, it.Error, it.Result = he.code, he.msg, nil
		}
		items = append(items, it)
	}
	if len(items) == 0 {
		writeError(w, http.StatusBadRequest, "batch without a \"file\" field")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": items})
}
