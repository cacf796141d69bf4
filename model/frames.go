package model

import (
	"fmt"
	"math"

	"github.com/deep4deep/deep4deep/features"
)

// FrameScorer is a Scorer that also reports the score of every frame, for a
// timeline of which part of a clip looks genuine or replayed. The scorers of
// NewScorer implement it; a scorer of a future kind may not, so callers
// check with a type assertion.
type FrameScorer interface {
	Scorer
	// ScoreSamplesFrames scores a mono signal at the model's rate like
	// ScoreSamples and appends the per-frame scores to frames[:0]: for the
	// CNN the logit difference z₁ − z₀ (log-odds of genuine), for the GMM
	// the frame's log-likelihood ratio. The utterance score is their mean,
	// exactly as ScoreSamples computes it. Frame t starts at t·hop seconds
	// (Config.Features.HopSeconds).
	ScoreSamplesFrames(samples []float32, frames []float64) (score float64, out []float64, err error)
}

func (s *cnnScorer) ScoreSamplesFrames(samples []float32, frames []float64) (float64, []float64, error) {
	if err := s.ex.Extract(&s.raw, samples); err != nil {
		return 0, frames[:0], err
	}
	m, err := s.normalize(&s.raw)
	if err != nil {
		return 0, frames[:0], err
	}
	if s.x == nil {
		s.x = make([]float32, InferenceBatch*s.img)
		s.logits = make([]float32, 2*InferenceBatch)
	}
	frames = frames[:0]
	sum := 0.0
	for t0 := 0; t0 < m.Rows; t0 += InferenceBatch {
		n := min(InferenceBatch, m.Rows-t0)
		for i := 0; i < n; i++ {
			features.ContextImage(s.x[i*s.img:(i+1)*s.img], m, t0+i, s.half)
		}
		if err := s.net.Logits(s.x[:n*s.img], n, s.logits[:2*n]); err != nil {
			return 0, frames, err
		}
		for i := 0; i < n; i++ {
			d := float64(s.logits[2*i+1]) - float64(s.logits[2*i])
			frames = append(frames, d)
			sum += d
		}
	}
	score := sum / float64(m.Rows)
	if math.IsNaN(score) || math.IsInf(score, 0) {
		return 0, frames, fmt.Errorf("score is %v (non-finite features or weights)", score)
	}
	return score, frames, nil
}

func (s *gmmScorer) ScoreSamplesFrames(samples []float32, frames []float64) (float64, []float64, error) {
	if err := s.ex.Extract(&s.raw, samples); err != nil {
		return 0, frames[:0], err
	}
	m, err := s.normalize(&s.raw)
	if err != nil {
		return 0, frames[:0], err
	}
	if m.Cols != s.dim {
		return 0, frames[:0], fmt.Errorf("features have %d dimensions, the model expects %d", m.Cols, s.dim)
	}
	if cap(frames) < 2*m.Rows {
		frames = make([]float64, 2*m.Rows)
	}
	g, sp := frames[:m.Rows], frames[m.Rows:2*m.Rows]
	if err := s.genuine.LogLikelihoods(m.Data, g); err != nil {
		return 0, frames[:0], err
	}
	if err := s.spoof.LogLikelihoods(m.Data, sp); err != nil {
		return 0, frames[:0], err
	}
	sum := 0.0
	for t := range g {
		g[t] -= sp[t]
		sum += g[t]
	}
	score := sum / float64(m.Rows)
	if math.IsNaN(score) || math.IsInf(score, 0) {
		return 0, g, fmt.Errorf("score is %v (non-finite features)", score)
	}
	return score, g, nil
}

// FramePredictor scores utterances with per-frame scores and runs the
// speech check on them (the service's unit of work). Like a Scorer it keeps
// buffers and is not safe for concurrent use.
type FramePredictor struct {
	p  *predictor
	fs FrameScorer
}

// NewFramePredictor returns a FramePredictor of the model, or an error when
// its kind gives no per-frame scores. threads is as for NewScorer.
func (m *Model) NewFramePredictor(threads int) (*FramePredictor, error) {
	p, err := m.newPredictor(threads)
	if err != nil {
		return nil, err
	}
	fs, ok := p.sc.(FrameScorer)
	if !ok {
		p.close()
		return nil, fmt.Errorf("model kind %q gives no per-frame scores", m.Config.Kind)
	}
	return &FramePredictor{p: p, fs: fs}, nil
}

// Predict scores samples at the model's rate, appends the per-frame scores
// to frames[:0] (see FrameScorer) and runs the speech check: the
// prediction's Label is LabelNoSpeech for input without speech.
func (f *FramePredictor) Predict(samples []float32, frames []float64) (Prediction, []float64, error) {
	score, frames, err := f.fs.ScoreSamplesFrames(samples, frames)
	if err != nil {
		return Prediction{}, frames, err
	}
	sp, err := f.p.speech(samples)
	if err != nil {
		return Prediction{}, frames, err
	}
	return Prediction{Score: score, Label: Label(score, sp.Speech), Speech: sp}, frames, nil
}

// Close releases the predictor's resources.
func (f *FramePredictor) Close() { f.p.close() }
