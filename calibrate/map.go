package calibrate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/eval"
	"github.com/deep4deep/deep4deep/internal/atomicfile"
)

// Kinds of Map.
const (
	KindCalibration = "calibration" // one system: an affine map
	KindFusion      = "fusion"      // several systems: a linear logistic fusion
)

// FileName is the name of the calibration a model directory may hold
// (written by train with a calibration set; used by score and predict).
const FileName = "calibration.json"

// Map is a fitted linear map from the scores of K systems to an LLR, as it
// is stored in a JSON file. Its fields after Offset describe the fit and are
// not used by Apply.
type Map struct {
	Kind string `json:"kind"`
	// Systems names the systems in the order of Weights: the labels given
	// to fuse, or the score file for a calibration.
	Systems []string  `json:"systems"`
	Weights []float64 `json:"weights"`
	Offset  float64   `json:"offset"`

	Prior    float64 `json:"prior"`     // prior P(genuine) of the fit
	L2       float64 `json:"l2"`        // ridge penalty of the fit
	NGenuine int     `json:"n_genuine"` // development trials of each class
	NSpoof   int     `json:"n_spoof"`
	// Cllr of the development scores before (each system alone, for a
	// fusion) and after the map, and the development set's min Cllr of the
	// mapped scores, so a user sees what the fit gained.
	CllrBefore []float64 `json:"cllr_before"`
	CllrAfter  float64   `json:"cllr_after"`
	MinCllr    float64   `json:"min_cllr"`
}

// Apply maps one trial's scores (one per system, in Systems order) to an
// LLR.
func (m *Map) Apply(x []float64) float64 {
	z := m.Offset
	for j, w := range m.Weights {
		z += w * x[j]
	}
	return z
}

// Calibrate applies a one-system map to a score file's scores.
func (m *Map) Calibrate(scores map[string]float64) (map[string]float64, error) {
	if len(m.Weights) != 1 {
		return nil, fmt.Errorf("a %d-system fusion cannot calibrate one score file", len(m.Weights))
	}
	out := make(map[string]float64, len(scores))
	for id, s := range scores {
		out[id] = m.Weights[0]*s + m.Offset
	}
	return out, nil
}

// CalibrateSlice applies a one-system map to scores in place.
func (m *Map) CalibrateSlice(scores []float64) error {
	if len(m.Weights) != 1 {
		return fmt.Errorf("a %d-system fusion cannot calibrate one system's scores", len(m.Weights))
	}
	for i, s := range scores {
		scores[i] = m.Weights[0]*s + m.Offset
	}
	return nil
}

// Fuse applies m to the score files of its systems, given in Systems order,
// and returns the fused scores of the trials that every system scored,
// sorted by ID. missing counts the trials scored by some systems but not
// all; they are left out.
func (m *Map) Fuse(systems []map[string]float64) (ids []string, fused []float64, missing int, err error) {
	if len(systems) != len(m.Weights) {
		return nil, nil, 0, fmt.Errorf("%d score files for a map of %d systems", len(systems), len(m.Weights))
	}
	all := map[string]int{}
	for _, s := range systems {
		for id := range s {
			all[id]++
		}
	}
	for id, n := range all {
		if n == len(systems) {
			ids = append(ids, id)
		} else {
			missing++
		}
	}
	slices.Sort(ids)
	fused = make([]float64, len(ids))
	x := make([]float64, len(systems))
	for i, id := range ids {
		for j, s := range systems {
			x[j] = s[id]
		}
		fused[i] = m.Apply(x)
	}
	return ids, fused, missing, nil
}

// Train fits a Map on a development protocol: systems[j] are the scores of
// system j (by trial ID, as eval.ReadScores returns them), names their
// labels. Only protocol trials scored by every system are used; missing
// counts the others. With one system the Map is a calibration, with several
// a fusion.
func Train(trials []corpus.Trial, systems []map[string]float64, names []string, o Options) (m *Map, missing int, err error) {
	if len(systems) == 0 || len(systems) != len(names) {
		return nil, 0, fmt.Errorf("%d score sets and %d names", len(systems), len(names))
	}
	var gen, spoof [][]float64
	for _, t := range trials {
		x := make([]float64, len(systems))
		ok := true
		for j, s := range systems {
			v, in := s[t.ID()]
			if !in {
				ok = false
				break
			}
			x[j] = v
		}
		if !ok {
			missing++
			continue
		}
		if t.Label == corpus.Genuine {
			gen = append(gen, x)
		} else {
			spoof = append(spoof, x)
		}
	}
	w, b, err := Fit(gen, spoof, o)
	if err != nil {
		return nil, missing, err
	}
	m = &Map{Kind: KindCalibration, Systems: slices.Clone(names), Weights: w, Offset: b,
		Prior: o.Prior, L2: o.L2, NGenuine: len(gen), NSpoof: len(spoof)}
	if len(systems) > 1 {
		m.Kind = KindFusion
	}
	column := func(set [][]float64, j int) []float64 {
		c := make([]float64, len(set))
		for i, x := range set {
			c[i] = x[j]
		}
		return c
	}
	for j := range systems {
		m.CllrBefore = append(m.CllrBefore, eval.Cllr(column(gen, j), column(spoof, j)))
	}
	apply := func(set [][]float64) []float64 {
		c := make([]float64, len(set))
		for i, x := range set {
			c[i] = m.Apply(x)
		}
		return c
	}
	lg, ls := apply(gen), apply(spoof)
	m.CllrAfter, m.MinCllr = eval.Cllr(lg, ls), eval.MinCllr(lg, ls)
	return m, missing, nil
}

// Validate checks what Apply relies on: a known kind, one name per weight,
// finite weights and offset, a prior in (0, 1).
func (m *Map) Validate() error {
	switch {
	case m.Kind != KindCalibration && m.Kind != KindFusion:
		return fmt.Errorf("kind %q, want %q or %q", m.Kind, KindCalibration, KindFusion)
	case len(m.Weights) == 0:
		return errors.New("no weights")
	case len(m.Systems) != len(m.Weights):
		return fmt.Errorf("%d systems but %d weights", len(m.Systems), len(m.Weights))
	case m.Kind == KindCalibration && len(m.Weights) != 1:
		return fmt.Errorf("a calibration has one weight, not %d", len(m.Weights))
	case !(m.Prior > 0 && m.Prior < 1):
		return fmt.Errorf("prior %v is not in (0, 1)", m.Prior)
	}
	for _, v := range append(slices.Clone(m.Weights), m.Offset) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("weight or offset %v is not finite", v)
		}
	}
	return nil
}

// Parse reads a Map from its JSON form; name is used in errors, which have
// the form "name: what is wrong". Unknown fields are errors (a typo must not
// silently change the map).
func Parse(r io.Reader, name string) (*Map, error) {
	dec := json.NewDecoder(io.LimitReader(r, 1<<20))
	dec.DisallowUnknownFields()
	var m Map
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%s: not a calibration or fusion file: %w", name, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: data after the JSON object", name)
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &m, nil
}

// Load reads the Map at path.
func Load(path string) (*Map, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(bytes.NewReader(data), path)
}

// LoadModel returns the calibration stored in a model directory, or nil
// when it has none.
func LoadModel(dir string) (*Map, error) {
	p := filepath.Join(dir, FileName)
	if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return Load(p)
}

// Save writes m as indented JSON to path atomically.
func (m *Map) Save(path string) error {
	if err := m.Validate(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	data = append(data, '\n')
	return atomicfile.WriteFile(path, data, 0o644) // its errors name path
}
