package model

import (
	"context"
	"fmt"
	"reflect"

	"github.com/deep4deep/deep4deep/audio"
	"github.com/deep4deep/deep4deep/features"
	"github.com/deep4deep/deep4deep/internal/par"
	"github.com/deep4deep/deep4deep/progress"
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
func (m *Model) PredictFiles(ctx context.Context, paths []string, workers int, report progress.Func) ([]Prediction, error) {
	workers, threads := split(workers, len(paths))
	preds := make([]Prediction, len(paths))
	err := par.Do(ctx, len(paths), workers,
		func() (*predictor, error) { return m.newPredictor(threads) },
		(*predictor).close,
		func(_ context.Context, p *predictor, i int) (err error) {
			preds[i], err = p.predictFile(paths[i])
			return err
		}, report.Named("", "files"))
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
	// threads is the scorer's engine threads; above one the speech check
	// runs beside the scoring.
	threads int
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
	p := &predictor{sc: sc, cfg: &m.Config, lim: m.Limits, det: det, threads: threads}
	if b, ok := sc.(interface{ shared() *base }); ok && reflect.DeepEqual(m.Config.Features, features.SpeechConfig()) {
		p.b, p.reuse = b.shared(), true
	}
	return p, nil
}

func (p *predictor) close() { p.sc.Close() }

func (p *predictor) predictFile(path string) (Prediction, error) {
	samples, err := audio.LoadLimited(path, p.cfg.Features.SampleRate, p.lim)
	if err != nil {
		return Prediction{}, err // audio errors name the file
	}
	pr, err := p.predictSamples(samples)
	if err != nil {
		return Prediction{}, fmt.Errorf("%s: %w", path, err)
	}
	return pr, nil
}

// predictSamples scores samples at the model's rate and runs the speech
// check on them. With more than one engine thread the check runs beside
// the scoring: it is serial, and the engine's threads would otherwise wait
// for it (predict of one long file used 1.4 cores of 2 before).
func (p *predictor) predictSamples(samples []float32) (Prediction, error) {
	var score func() (float64, error)
	if p.reuse {
		// The model's features are the check's: extract them once; then
		// the scorer and the check both read them (neither modifies them).
		if err := p.b.ex.Extract(&p.b.raw, samples); err != nil {
			return Prediction{}, err
		}
		score = func() (float64, error) { return p.sc.ScoreFeatures(&p.b.raw) }
	} else {
		score = func() (float64, error) { return p.sc.ScoreSamples(samples) }
	}
	var (
		sc             float64
		sp             features.Speech
		scErr, checkEr error
	)
	if p.threads > 1 {
		done := make(chan struct{})
		go func() {
			defer close(done)
			sp, checkEr = p.speech(samples)
		}()
		sc, scErr = score()
		<-done
	} else if sc, scErr = score(); scErr == nil {
		sp, checkEr = p.speech(samples)
	}
	if scErr != nil {
		return Prediction{}, scErr
	}
	if checkEr != nil {
		return Prediction{}, checkEr
	}
	return Prediction{Score: sc, Label: Label(sc, sp.Speech), Speech: sp}, nil
}

// speech runs the speech check: on the features the scorer reads when they
// are the check's own, else on samples resampled for it.
func (p *predictor) speech(samples []float32) (features.Speech, error) {
	if p.reuse {
		return p.det.DetectFbank(&p.b.raw)
	}
	x, err := audio.Resample(samples, p.cfg.Features.SampleRate, features.SpeechConfig().SampleRate)
	if err != nil {
		return features.Speech{}, err
	}
	return p.det.Detect(x)
}

// shared gives the speech check access to the features a scorer computed.
func (b *base) shared() *base { return b }
