// Package defaultmodel is the model built into the deep4deep binary, so that
// predict and serve work without training one first, and the description of
// any model directory (name, kind, recipe, content hash) that the CLI and the
// service show.
//
// The built-in model lives in model/ (config.json, model.safetensors,
// calibration.json, recipe.json, train-log.csv), embedded with go:embed and reproduced bit for
// bit by scripts/train-default-model.sh. It is trained on a synthetic corpus
// only: see recipe.json and the README for what that means on real
// recordings.
package defaultmodel

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/deep4deep/deep4deep/calibrate"
	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/model"
)

//go:embed model
var files embed.FS

// Name is the name of the built-in model.
const Name = "deep4deep-default"

// RecipeFile is the optional file of a model directory that records how the
// model was made (the built-in model has one).
const RecipeFile = "recipe.json"

// Recipe is recipe.json: how a model was made, for reproduction.
type Recipe struct {
	Name                string `json:"name"`
	Recipe              string `json:"recipe"`
	Corpus              string `json:"corpus"`
	CorpusRecipeVersion string `json:"corpus_recipe_version"`
	Seed                uint64 `json:"seed"`
	Calibrated          bool   `json:"calibrated"`
	Calibration         string `json:"calibration,omitempty"`
	Reproduce           string `json:"reproduce"`
}

// Info describes a loaded model for people and for clients of the service.
type Info struct {
	Name   string `json:"name"`
	Source string `json:"source"` // "built-in" or the directory
	Kind   string `json:"kind"`
	// Features is the feature kind the model reads.
	Features string `json:"features"`
	// RecipeVersion identifies how the model was made: the recipe's corpus
	// version and seed for a model with recipe.json, else the deep4deep
	// version that wrote it.
	RecipeVersion string `json:"recipe_version"`
	// Hash is the SHA-256 of config.json, model.safetensors and (when
	// present) calibration.json, in that order: two models with the same
	// hash give the same scores and LLRs.
	Hash       string `json:"hash"`
	Calibrated bool   `json:"calibrated"`
	// Calibration maps the model's scores to LLRs (calibration.json in the
	// model directory; nil when the model has none).
	Calibration *calibrate.Map      `json:"calibration,omitempty"`
	Params      int                 `json:"params,omitempty"`
	Recipe      *Recipe             `json:"recipe,omitempty"`
	Training    json.RawMessage     `json:"training,omitempty"`
	Corpus      *corpus.Fingerprint `json:"corpus,omitempty"`
	Versions    model.Versions      `json:"versions"`
}

// Open loads the model in dir, or the built-in model when dir is "", and
// describes it.
func Open(dir string) (*model.Model, *Info, error) {
	if dir == "" {
		return openBuiltin()
	}
	m, err := model.Load(dir)
	if err != nil {
		return nil, nil, err
	}
	info, err := describe(m, os.DirFS(dir))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", dir, err)
	}
	info.Name, info.Source = filepath.Base(filepath.Clean(dir)), dir
	if info.Recipe != nil && info.Recipe.Name != "" {
		info.Name = info.Recipe.Name
	}
	return m, info, nil
}

// openBuiltin loads the embedded model. model.Load reads a directory, so the
// two files are copied into a temporary one and removed afterwards.
func openBuiltin() (*model.Model, *Info, error) {
	sub, err := fs.Sub(files, "model")
	if err != nil {
		return nil, nil, err
	}
	tmp, err := os.MkdirTemp("", "deep4deep-default-model-")
	if err != nil {
		return nil, nil, fmt.Errorf("built-in model: %w", err)
	}
	defer os.RemoveAll(tmp)
	for _, name := range []string{model.ConfigFile, model.WeightsFile} {
		data, err := fs.ReadFile(sub, name)
		if err != nil {
			return nil, nil, fmt.Errorf("built-in model: %w", err)
		}
		if err := os.WriteFile(filepath.Join(tmp, name), data, 0o600); err != nil {
			return nil, nil, fmt.Errorf("built-in model: %w", err)
		}
	}
	m, err := model.Load(tmp)
	if err != nil {
		return nil, nil, fmt.Errorf("built-in model: %w", err)
	}
	info, err := describe(m, sub)
	if err != nil {
		return nil, nil, fmt.Errorf("built-in model: %w", err)
	}
	info.Name, info.Source = Name, "built-in"
	return m, info, nil
}

// describe builds the Info of m, whose files are in fsys.
func describe(m *model.Model, fsys fs.FS) (*Info, error) {
	h := sha256.New()
	for _, name := range []string{model.ConfigFile, model.WeightsFile, calibrate.FileName} {
		data, err := fs.ReadFile(fsys, name)
		if name == calibrate.FileName && errors.Is(err, fs.ErrNotExist) {
			break
		}
		if err != nil {
			return nil, err
		}
		h.Write(data)
	}
	c := &m.Config
	info := &Info{
		Kind:          c.Kind,
		Features:      string(c.Features.Kind),
		Hash:          hex.EncodeToString(h.Sum(nil)),
		Training:      c.Training,
		Corpus:        c.Corpus,
		Versions:      c.Versions,
		RecipeVersion: "deep4deep " + c.Versions.Deep4deep,
	}
	if c.Architecture != nil {
		info.Params = c.Architecture.NumParams()
	}
	data, err := fs.ReadFile(fsys, RecipeFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, err
	default:
		var r Recipe
		if err := json.Unmarshal(data, &r); err != nil {
			return nil, fmt.Errorf("%s: %w", RecipeFile, err)
		}
		info.Recipe = &r
		info.RecipeVersion = fmt.Sprintf("synth v%s, seed %d", r.CorpusRecipeVersion, r.Seed)
	}
	data, err = fs.ReadFile(fsys, calibrate.FileName)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, err
	default:
		cal, err := calibrate.Parse(bytes.NewReader(data), calibrate.FileName)
		if err != nil {
			return nil, err
		}
		if len(cal.Weights) != 1 {
			return nil, fmt.Errorf("%s: a fusion, not a calibration", calibrate.FileName)
		}
		info.Calibration, info.Calibrated = cal, true
	}
	return info, nil
}
