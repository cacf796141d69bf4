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
	rate := p.cfg.Features.SampleRate
	samples, err := audio.LoadLimited(path, rate, p.lim)
	if err != nil {
		return Prediction{}, err // audio errors name the file
	}
	var score func() (float64, error)
	var check func() (features.Speech, error)
	if p.reuse {
		// The model's features are the check's: extract them once, then
		// both read them (neither modifies them).
		if err := p.b.ex.Extract(&p.b.raw, samples); err != nil {
			return Prediction{}, fmt.Errorf("%s: %w", path, err)
		}
		score = func() (float64, error) { return p.sc.ScoreFeatures(&p.b.raw) }
		check = func() (features.Speech, error) { return p.det.DetectFbank(&p.b.raw) }
	} else {
		score = func() (float64, error) { return p.sc.ScoreSamples(samples) }
		check = func() (features.Speech, error) {
			s, err := audio.Resample(samples, rate, features.SpeechConfig().SampleRate)
			if err != nil {
				return features.Speech{}, err
			}
			return p.det.Detect(s)
		}
	}
	var (
		sc             float64
		sp             features.Speech
		scErr, checkEr error
	)
	if p.threads > 1 {
		// The check is serial and the scorer's engine threads wait for it
		// between batches otherwise: beside the scoring, one long file
		// keeps every core busy (predict of one file was 1.4× wall in CPU
		// time, not the cores' 2×).
		done := make(chan struct{})
		go func() {
			defer close(done)
			sp, checkEr = check()
		}()
		sc, scErr = score()
		<-done
	} else {
		sc, scErr = score()
		if scErr == nil {
			sp, checkEr = check()
		}
	}
	if scErr != nil {
		return Prediction{}, fmt.Errorf("%s: %w", path, scErr)
	}
	if checkEr != nil {
		return Prediction{}, fmt.Errorf("%s: %w", path, checkEr)
	}
	return Prediction{Score: sc, Label: Label(sc, sp.Speech), Speech: sp}, nil
}

// shared gives the speech check access to the features a scorer computed.
func (b *base) shared() *base { return b }
