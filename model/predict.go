package model

import (
	"context"
	"fmt"
	"reflect"

	"github.com/deep4deep/deep4deep/audio"
	"github.com/deep4deep/deep4deep/features"
	"github.com/deep4deep/deep4deep/internal/par"
)

// Verdicts on an utterance.
const (
	LabelGenuine  = "genuine"
	LabelSpoof    = "spoof"
	LabelNoSpeech = "no_speech" // the speech check found no speech: the score says nothing
)

// Label is the decision rule of every model on a raw score: LabelNoSpeech
// when the utterance holds no speech, whatever its score (a countermeasure
// must not pass silence, noise or a tone as genuine speech); otherwise
// LabelGenuine when score > 0 and LabelSpoof when not.
func Label(score float64, speech bool) string {
	switch {
	case !speech:
		return LabelNoSpeech
	case score > 0:
		return LabelGenuine
	}
	return LabelSpoof
}

// Prediction is the verdict on one audio file.
type Prediction struct {
	Score  float64         // the model's score, computed for every input
	Label  string          // Label(Score, Speech.Speech)
	Speech features.Speech // the speech check (features.SpeechDetector) and its measurements
}

// PredictFiles scores audio files as ScoreFiles does and runs the speech
// check on each (features.DefaultSpeechParams), so that inputs without
// speech are labelled LabelNoSpeech, with their score still computed.
func (m *Model) PredictFiles(ctx context.Context, paths []string, workers int, progress par.Progress) ([]Prediction, error) {
	workers, threads := split(workers, len(paths))
	preds := make([]Prediction, len(paths))
	err := par.Do(ctx, len(paths), workers,
		func() (*predictor, error) { return m.newPredictor(threads) },
		(*predictor).close,
		func(_ context.Context, p *predictor, i int) (err error) {
			preds[i], err = p.predictFile(paths[i])
			return err
		}, progress)
	if err != nil {
		return nil, err
	}
	return preds, nil
}

// predictor is a scorer plus a speech detector, owned by one goroutine.
type predictor struct {
	sc  Scorer
	b   *base // sc's shared part: its samples' features, when they are the speech check's
	cfg *Config
	lim audio.Limits
	det *features.SpeechDetector
	// reuse: the model's features are the speech check's own (the seed's
	// fbank at 16 kHz), so the check reads them instead of recomputing.
	reuse bool
}

func (m *Model) newPredictor(threads int) (*predictor, error) {
	sc, err := m.NewScorer(threads)
	if err != nil {
		return nil, err
	}
	det, err := features.NewSpeechDetector(features.DefaultSpeechParams())
	if err != nil {
		sc.Close()
		return nil, err
	}
	p := &predictor{sc: sc, cfg: &m.Config, lim: m.Limits, det: det}
	if b, ok := sc.(interface{ shared() *base }); ok && reflect.DeepEqual(m.Config.Features, features.SpeechConfig()) {
		p.b, p.reuse = b.shared(), true
	}
	return p, nil
}

func (p *predictor) close() { p.sc.Close() }

func (p *predictor) predictFile(path string) (Prediction, error) {
	rate := p.cfg.Features.SampleRate
	samples, err := audio.LoadLimited(path, rate, p.lim)
	if err != nil {
		return Prediction{}, err // audio errors name the file
	}
	score, err := p.sc.ScoreSamples(samples)
	if err != nil {
		return Prediction{}, fmt.Errorf("%s: %w", path, err)
	}
	var sp features.Speech
	if p.reuse {
		sp, err = p.det.DetectFbank(&p.b.raw)
	} else {
		speechRate := features.SpeechConfig().SampleRate
		if samples, err = audio.Resample(samples, rate, speechRate); err == nil {
			sp, err = p.det.Detect(samples)
		}
	}
	if err != nil {
		return Prediction{}, fmt.Errorf("%s: %w", path, err)
	}
	return Prediction{Score: score, Label: Label(score, sp.Speech), Speech: sp}, nil
}

// shared gives the speech check access to the features a scorer computed.
func (b *base) shared() *base { return b }
