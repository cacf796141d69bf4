// Package model is the model directory of DESIGN §4.3 — config.json plus
// model.safetensors — and the scoring of audio with it. Both model kinds, the
// seed's CNN and the two-GMM baseline, load into one Model and score through
// one Scorer interface, so the CLI, the demo and a service share the code.
//
// A directory holds:
//
//	config.json        kind, feature parameters, normalisation, architecture
//	                   or GMM size, training settings, corpus fingerprint
//	model.safetensors  CNN: PyTorch-named tensors (loadable into
//	                   bench/torch_cnn.py); GMM: genuine.{weights,means,vars}
//	                   and spoof.{weights,means,vars} (F64; K, K×D, K×D)
//
// Scores are log-likelihood-ratio-like: higher means genuine, and a score
// above 0 is decided genuine.
package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/deep4deep/deep4deep/audio"
	"github.com/deep4deep/deep4deep/features"
	"github.com/deep4deep/deep4deep/gmm"
	"github.com/deep4deep/deep4deep/internal/atomicfile"
	"github.com/deep4deep/deep4deep/nn"
	"github.com/deep4deep/deep4deep/safetensors"
)

// Model is a loaded model. It is read-only once built; scorers made from it
// (NewScorer) hold their own buffers and may run concurrently.
type Model struct {
	Config Config
	// Limits bound the audio that scoring reads (ScoreFile, ScoreFiles): the
	// zero value applies audio's defaults (one hour). Set it before making
	// scorers.
	Limits audio.Limits

	// CNN: the network's tensors (PyTorch names). Each scorer builds its own
	// network from them, because a network keeps activation buffers.
	weights map[string]safetensors.Tensor
	// GMM: the two class models.
	genuine, spoof *gmm.GMM
}

// NewCNN makes a CNN model from cfg (Kind CNN, with Architecture and
// Normalization) and the network's current weights.
func NewCNN(cfg Config, net *nn.Net) (*Model, error) {
	cfg.Kind = CNN
	m := &Model{Config: cfg, weights: net.Tensors()}
	if err := m.check(); err != nil {
		return nil, err
	}
	return m, nil
}

// NewGMM makes a GMM model from cfg and the genuine and spoof mixtures.
func NewGMM(cfg Config, genuine, spoof *gmm.GMM) (*Model, error) {
	cfg.Kind = GMM
	cfg.Components = genuine.K
	m := &Model{Config: cfg, genuine: genuine, spoof: spoof}
	if err := m.check(); err != nil {
		return nil, err
	}
	return m, nil
}

// GMMs returns the genuine and spoof mixtures of a GMM model (nil for a CNN).
func (m *Model) GMMs() (genuine, spoof *gmm.GMM) { return m.genuine, m.spoof }

// Dim is the number of feature dimensions the model expects.
func (m *Model) Dim() (int, error) {
	ex, err := features.New(m.Config.Features)
	if err != nil {
		return 0, err
	}
	return ex.Dim(), nil
}

// check validates the config against the weights.
func (m *Model) check() error {
	if m.Config.Format == 0 {
		m.Config.Format = FormatVersion
	}
	dim, err := m.Dim()
	if err != nil {
		return fmt.Errorf("features: %w", err)
	}
	if err := m.Config.validate(dim); err != nil {
		return err
	}
	switch m.Config.Kind {
	case CNN:
		// Building a network checks every tensor's presence and shape.
		net, err := m.newNet()
		if err != nil {
			return err
		}
		net.Close()
		if h := m.Config.Architecture.InputHeight; h != dim {
			return fmt.Errorf("the network takes %d-dimensional frames but the %s features have %d dimensions", h, m.Config.Features.Kind, dim)
		}
	case GMM:
		for _, g := range []struct {
			name string
			g    *gmm.GMM
		}{{"genuine", m.genuine}, {"spoof", m.spoof}} {
			if g.g == nil {
				return fmt.Errorf("%s GMM missing", g.name)
			}
			if err := g.g.Validate(); err != nil {
				return fmt.Errorf("%s GMM: %w", g.name, err)
			}
			if g.g.Dim != dim {
				return fmt.Errorf("%s GMM has dimension %d but the %s features have %d", g.name, g.g.Dim, m.Config.Features.Kind, dim)
			}
			if g.g.K != m.Config.Components {
				return fmt.Errorf("%s GMM has %d components, config.json says %d", g.name, g.g.K, m.Config.Components)
			}
		}
	}
	return nil
}

// newNet builds a network with the model's weights.
func (m *Model) newNet() (*nn.Net, error) {
	// Refuse before allocating a network that the weights cannot fill (a
	// corrupt config could otherwise ask for a huge one).
	have := 0
	for _, t := range m.weights {
		have += t.NumElements()
	}
	if need := m.Config.Architecture.NumParams(); need > have {
		return nil, fmt.Errorf("the architecture has %d parameters but the weights hold only %d values", need, have)
	}
	net, err := nn.New(*m.Config.Architecture, 0)
	if err != nil {
		return nil, fmt.Errorf("architecture: %w", err)
	}
	if err := net.SetTensors(m.weights); err != nil {
		net.Close()
		return nil, err
	}
	return net, nil
}

// Load reads the model directory dir. A missing directory or file, a corrupt
// file, an unknown kind or weights that do not fit the configuration are
// errors naming the file.
func Load(dir string) (*Model, error) {
	cfgPath := filepath.Join(dir, ConfigFile)
	if fi, err := os.Stat(dir); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("model directory %s does not exist", dir)
		}
		return nil, err
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("model %s is not a directory", dir)
	}
	data, err := os.ReadFile(cfgPath)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: missing (not a model directory?)", cfgPath)
		}
		return nil, err
	}
	m := &Model{}
	if err := json.Unmarshal(data, &m.Config); err != nil {
		return nil, fmt.Errorf("%s: %w", cfgPath, err)
	}
	if m.Config.Format == 0 {
		return nil, fmt.Errorf("%s: no \"format\" field (not a deep4deep model?)", cfgPath)
	}
	dim, err := m.Dim()
	if err != nil {
		return nil, fmt.Errorf("%s: features: %w", cfgPath, err)
	}
	if err := m.Config.validate(dim); err != nil {
		return nil, fmt.Errorf("%s: %w", cfgPath, err)
	}
	wPath := filepath.Join(dir, WeightsFile)
	tensors, _, err := safetensors.ReadFile(wPath)
	if err != nil {
		return nil, err // safetensors names the file
	}
	switch m.Config.Kind {
	case CNN:
		m.weights = tensors
	case GMM:
		if m.genuine, err = gmmFromTensors(tensors, "genuine"); err != nil {
			return nil, fmt.Errorf("%s: %w", wPath, err)
		}
		if m.spoof, err = gmmFromTensors(tensors, "spoof"); err != nil {
			return nil, fmt.Errorf("%s: %w", wPath, err)
		}
	}
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", wPath, err)
	}
	return m, nil
}

// Save writes the model into dir (created if needed): the weights first, then
// config.json, each atomically.
func (m *Model) Save(dir string) error {
	if err := m.check(); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var tensors map[string]safetensors.Tensor
	switch m.Config.Kind {
	case CNN:
		tensors = m.weights
	case GMM:
		tensors = map[string]safetensors.Tensor{}
		gmmToTensors(tensors, "genuine", m.genuine)
		gmmToTensors(tensors, "spoof", m.spoof)
	}
	meta := map[string]string{"format": "pt", "deep4deep.kind": m.Config.Kind}
	if err := safetensors.WriteFile(filepath.Join(dir, WeightsFile), tensors, meta); err != nil {
		return err
	}
	data, err := json.MarshalIndent(&m.Config, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, ConfigFile), append(data, '\n'), 0o644)
}

func gmmToTensors(dst map[string]safetensors.Tensor, prefix string, g *gmm.GMM) {
	dst[prefix+".weights"] = safetensors.Tensor{DType: safetensors.F64, Shape: []int{g.K}, F64: g.Weights}
	dst[prefix+".means"] = safetensors.Tensor{DType: safetensors.F64, Shape: []int{g.K, g.Dim}, F64: g.Means}
	dst[prefix+".vars"] = safetensors.Tensor{DType: safetensors.F64, Shape: []int{g.K, g.Dim}, F64: g.Vars}
}

func gmmFromTensors(src map[string]safetensors.Tensor, prefix string) (*gmm.GMM, error) {
	get := func(name string, rank int) (safetensors.Tensor, error) {
		t, ok := src[prefix+"."+name]
		if !ok {
			return t, fmt.Errorf("tensor %s.%s missing", prefix, name)
		}
		if t.DType != safetensors.F64 || len(t.Shape) != rank {
			return t, fmt.Errorf("tensor %s.%s: want F64 of rank %d, have %s %v", prefix, name, rank, t.DType, t.Shape)
		}
		return t, nil
	}
	w, err := get("weights", 1)
	if err != nil {
		return nil, err
	}
	mu, err := get("means", 2)
	if err != nil {
		return nil, err
	}
	v, err := get("vars", 2)
	if err != nil {
		return nil, err
	}
	k, d := mu.Shape[0], mu.Shape[1]
	if w.Shape[0] != k || v.Shape[0] != k || v.Shape[1] != d {
		return nil, fmt.Errorf("%s GMM: shapes %v, %v, %v disagree", prefix, w.Shape, mu.Shape, v.Shape)
	}
	return &gmm.GMM{K: k, Dim: d, Weights: w.F64, Means: mu.F64, Vars: v.F64}, nil
}
