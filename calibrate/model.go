package calibrate

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/model"
)

// FitModel scores every trial of one set of a corpus with the model in dir
// (raw scores, not any calibration it already has), fits a calibration on
// them and stores it in the model directory as FileName, where score and
// predict find it. workers files are scored in parallel.
func FitModel(ctx context.Context, dir string, c corpus.Corpus, set corpus.Set, workers int, o Options) (*Map, error) {
	m, err := model.Load(dir)
	if err != nil {
		return nil, err
	}
	trials, err := c.Trials(set)
	if err != nil {
		return nil, err
	}
	paths := make([]string, len(trials))
	for i, t := range trials {
		paths[i] = c.AudioPath(set, t)
	}
	raw, err := m.ScoreFiles(ctx, paths, workers, nil)
	if err != nil {
		return nil, err
	}
	scores := make(map[string]float64, len(trials))
	for i, t := range trials {
		scores[t.ID()] = raw[i]
	}
	name := fmt.Sprintf("%s (%s set)", dir, set)
	cal, _, err := Train(trials, []map[string]float64{scores}, []string{name}, o)
	if err != nil {
		return nil, fmt.Errorf("calibrating %s on the %s set: %w", dir, set, err)
	}
	if err := cal.Save(filepath.Join(dir, FileName)); err != nil {
		return nil, err
	}
	return cal, nil
}
