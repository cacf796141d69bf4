package model

import (
	"encoding/json"
	"fmt"

	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/features"
	"github.com/deep4deep/deep4deep/internal/buildinfo"
	"github.com/deep4deep/deep4deep/nn"
)

// Kinds of model.
const (
	CNN = "cnn" // the seed's CNN on context images of normalised frames (DESIGN §4.1)
	GMM = "gmm" // two diagonal GMMs, genuine and spoof (DESIGN §4.2)
)

// FormatVersion is the version of the model directory layout written by
// Save. Load refuses directories of a newer format.
const FormatVersion = 1

// File names inside a model directory.
const (
	ConfigFile  = "config.json"
	WeightsFile = "model.safetensors"
)

// Config is config.json: everything needed to recompute a model's features
// and scores, plus the provenance of the model.
type Config struct {
	Format int    `json:"format"`
	Kind   string `json:"kind"` // CNN or GMM

	// Features are the parameters of the extractor the model was trained on;
	// scoring recomputes exactly these.
	Features features.Config `json:"features"`
	// Normalization is the per-dimension mean and standard deviation over the
	// train set (DESIGN §3), applied to every frame before the network. CNN
	// models always have it; GMM models have it only when trained so.
	Normalization *features.Normalization `json:"normalization,omitempty"`
	// CMVN applies per-utterance cepstral mean and variance normalisation
	// (each utterance's own mean and standard deviation per dimension) before
	// scoring; used by GMM models trained with --cmvn.
	CMVN bool `json:"cmvn,omitempty"`

	// Architecture is the network of a CNN model.
	Architecture *nn.Arch `json:"architecture,omitempty"`
	// Components is the number of Gaussians per class of a GMM model.
	Components int `json:"components,omitempty"`

	// Training holds the settings and results of the run that made the model
	// (written by package train; free-form for readers).
	Training json.RawMessage `json:"training,omitempty"`
	// Corpus identifies the data the model was trained on.
	Corpus *corpus.Fingerprint `json:"corpus,omitempty"`
	// Versions records the software that wrote the model.
	Versions Versions `json:"versions"`
}

// Versions records the software that wrote a model.
type Versions struct {
	Deep4deep string `json:"deep4deep"`
	Go        string `json:"go"`
}

// Version is the version of deep4deep written into model files.
const Version = buildinfo.Version

// CurrentVersions returns the versions of this build.
func CurrentVersions() Versions {
	in := buildinfo.Read()
	return Versions{Deep4deep: in.Short(), Go: in.Go}
}

// validate checks the parts of c that scoring depends on.
func (c *Config) validate(dim int) error {
	if c.Format < 1 || c.Format > FormatVersion {
		return fmt.Errorf("unsupported model format %d (this build reads 1..%d)", c.Format, FormatVersion)
	}
	if _, err := features.ParseKind(string(c.Features.Kind)); err != nil {
		return fmt.Errorf("features: %w", err)
	}
	if n := c.Normalization; n != nil {
		if len(n.Mean) != dim || len(n.Std) != dim {
			return fmt.Errorf("normalization has %d means and %d deviations, the features have %d dimensions", len(n.Mean), len(n.Std), dim)
		}
		for i, s := range n.Std {
			if !(s > 0) || s != s || s > 1e30 {
				return fmt.Errorf("normalization std[%d] = %v is not a positive number", i, s)
			}
			if m := n.Mean[i]; m != m || m > 1e30 || m < -1e30 {
				return fmt.Errorf("normalization mean[%d] = %v is not a finite number", i, m)
			}
		}
	}
	switch c.Kind {
	case CNN:
		if c.Architecture == nil {
			return fmt.Errorf("cnn model without \"architecture\"")
		}
		if c.Normalization == nil {
			return fmt.Errorf("cnn model without \"normalization\"")
		}
	case GMM:
		if c.Components <= 0 {
			return fmt.Errorf("gmm model with components = %d", c.Components)
		}
	default:
		return fmt.Errorf("unknown model kind %q (want %q or %q)", c.Kind, CNN, GMM)
	}
	return nil
}
