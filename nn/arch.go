package nn

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// Arch describes a network: its input and a sequence of layers. It is
// JSON-serialisable so that the model package stores it in config.json and
// new architectures need no code (README: "Writing an architecture").
//
// Two input kinds exist. InputFrames (the default) classifies one context
// image per frame: InputHeight feature dimensions × InputWidth frames (the
// seed CNN's 64 × 17). InputUtterance classifies a whole utterance:
// InputHeight dimensions × any number of frames (InputWidth 0); such a
// network must pool over time (a timepool layer) before its dense layers.
//
// The layers are either listed in Layers, or given in the block shorthand
// of the seed family (Blocks, then Dense, then an output layer of Classes
// units), which expands into the same layer list (Layers).
type Arch struct {
	Name        string      `json:"name,omitempty"`
	Input       string      `json:"input,omitempty"` // InputFrames ("" means the same) or InputUtterance
	InputHeight int         `json:"input_height"`    // feature dimensions; the input has one channel
	InputWidth  int         `json:"input_width"`     // context frames (frames input); 0 for utterances
	Layers      []LayerSpec `json:"layers,omitempty"`
	Blocks      []Block     `json:"blocks,omitempty"`
	Dense       []Dense     `json:"dense,omitempty"`
	// Classes is the output size: 2 (softmax over spoof, genuine) or 1 (one
	// logit of genuine, sigmoid). With Layers, the last layer is a dense
	// layer of this many units.
	Classes int `json:"classes"`
}

// Input kinds of an Arch.
const (
	InputFrames    = "frames"
	InputUtterance = "utterance"
)

// LayerSpec is one layer of an Arch. Type selects the layer; the other
// fields are its settings (unused ones are left out of the JSON):
//
//	conv       Out channels, Kernel k (odd, stride 1), Padding "same" (default) or "valid"; has a bias
//	mfm        max-feature-map: y[c] = max(x[c], x[c + C/2]), halving the channels
//	batchnorm  Affine (default true): with weight and bias, else only running statistics
//	relu
//	maxpool    Size [h, w], stride = size, trailing rows/columns dropped
//	avgpool    Size [h, w], likewise
//	dropout    P
//	flatten    maps → vectors in (channel, height, width) order
//	timepool   Mode "mean", "meanstd" (statistics pooling) or "attentive" (Hidden units)
//	dense      Out units
//
// Name is the PyTorch module path of a layer with tensors (conv,
// batchnorm with statistics, dense, attentive timepool): its tensors are
// NAME.weight, NAME.bias, NAME.running_mean, ... in model.safetensors.
type LayerSpec struct {
	Type    string  `json:"type"`
	Name    string  `json:"name,omitempty"`
	Out     int     `json:"out,omitempty"`
	Kernel  int     `json:"kernel,omitempty"`
	Padding string  `json:"padding,omitempty"`
	Size    [2]int  `json:"size,omitzero"`
	Affine  *bool   `json:"affine,omitempty"`
	P       float64 `json:"p,omitempty"`
	Mode    string  `json:"mode,omitempty"`
	Hidden  int     `json:"hidden,omitempty"`
}

// Block is [conv 3×3 SAME → batch norm → ReLU] × len(Channels), then a
// PoolH × PoolW max pool (stride equal to its size, VALID padding): the
// block shorthand of the seed family.
type Block struct {
	Channels []int `json:"channels"`
	PoolH    int   `json:"pool_h"`
	PoolW    int   `json:"pool_w"`
}

// Dense is a hidden fully connected layer with ReLU, then inverted dropout
// with probability Dropout in training (block shorthand).
type Dense struct {
	Units   int     `json:"units"`
	Dropout float64 `json:"dropout"`
}

//go:embed archs/*.json
var archFiles embed.FS

// ArchNames lists the architectures shipped with the package (archs/*.json).
func ArchNames() []string {
	ents, _ := archFiles.ReadDir("archs")
	var names []string
	for _, e := range ents {
		names = append(names, strings.TrimSuffix(e.Name(), ".json"))
	}
	sort.Strings(names)
	return names
}

// ArchByName returns a shipped architecture (see ArchNames).
func ArchByName(name string) (Arch, error) {
	data, err := archFiles.ReadFile("archs/" + name + ".json")
	if err != nil {
		return Arch{}, fmt.Errorf("no architecture named %q (have %s)", name, strings.Join(ArchNames(), ", "))
	}
	return ParseArch(data)
}

// ParseArch decodes and validates an architecture in JSON. Unknown fields
// are errors, so that a misspelt setting does not pass silently.
func ParseArch(data []byte) (Arch, error) {
	var a Arch
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		return Arch{}, err
	}
	if err := a.Validate(); err != nil {
		return Arch{}, err
	}
	return a, nil
}

// DefaultArch is the seed's CNN of DESIGN §4.1 (863,358 parameters), the
// shipped architecture "seed-cnn".
func DefaultArch() Arch {
	a, err := ArchByName("seed-cnn")
	if err != nil {
		panic("nn: the embedded seed-cnn architecture does not parse: " + err.Error())
	}
	return a
}

// Utterance reports whether the network classifies whole utterances.
func (a Arch) Utterance() bool { return a.Input == InputUtterance }

// LayerList returns the layers of a, expanding the block shorthand.
func (a Arch) LayerList() []LayerSpec {
	if len(a.Layers) > 0 || len(a.Blocks) == 0 {
		return a.Layers
	}
	var ls []LayerSpec
	yes := true
	for bi, b := range a.Blocks {
		for j, c := range b.Channels {
			ls = append(ls,
				LayerSpec{Type: "conv", Name: fmt.Sprintf("block%d.conv%d", bi+1, j+1), Out: c, Kernel: 3},
				LayerSpec{Type: "batchnorm", Name: fmt.Sprintf("block%d.bn%d", bi+1, j+1), Affine: &yes},
				LayerSpec{Type: "relu"})
		}
		ls = append(ls, LayerSpec{Type: "maxpool", Size: [2]int{b.PoolH, b.PoolW}})
	}
	ls = append(ls, LayerSpec{Type: "flatten"})
	for i, d := range a.Dense {
		ls = append(ls, LayerSpec{Type: "dense", Name: fmt.Sprintf("fc%d", i+1), Out: d.Units}, LayerSpec{Type: "relu"})
		if d.Dropout != 0 {
			ls = append(ls, LayerSpec{Type: "dropout", P: d.Dropout})
		}
	}
	return append(ls, LayerSpec{Type: "dense", Name: "out", Out: a.Classes})
}

// blockForm returns the block shorthand of a when its layers are exactly
// the expansion of one (the seed family, which the fused engine runs).
func (a Arch) blockForm() (Arch, bool) {
	if len(a.Blocks) > 0 {
		return a, !a.Utterance() && a.Classes >= 2
	}
	if a.Utterance() || a.Classes < 2 {
		return Arch{}, false
	}
	b := Arch{Name: a.Name, InputHeight: a.InputHeight, InputWidth: a.InputWidth, Classes: a.Classes}
	ls := a.Layers
	i := 0
	for i < len(ls) && ls[i].Type == "conv" {
		var blk Block
		for i+2 < len(ls) && ls[i].Type == "conv" {
			blk.Channels = append(blk.Channels, ls[i].Out)
			i += 3
		}
		if i >= len(ls) || ls[i].Type != "maxpool" {
			return Arch{}, false
		}
		blk.PoolH, blk.PoolW = ls[i].Size[0], ls[i].Size[1]
		i++
		b.Blocks = append(b.Blocks, blk)
	}
	if i >= len(ls) || ls[i].Type != "flatten" {
		return Arch{}, false
	}
	i++
	for i < len(ls) && ls[i].Type == "dense" && i+1 < len(ls) && ls[i+1].Type == "relu" {
		d := Dense{Units: ls[i].Out}
		i += 2
		if i < len(ls) && ls[i].Type == "dropout" {
			d.Dropout = ls[i].P
			i++
		}
		b.Dense = append(b.Dense, d)
	}
	if len(b.Blocks) == 0 || !reflect.DeepEqual(normSpecs(b.LayerList()), normSpecs(a.Layers)) {
		return Arch{}, false
	}
	return b, true
}

// normSpecs fills the defaults of a layer list so that equal networks
// compare equal.
func normSpecs(ls []LayerSpec) []LayerSpec {
	out := make([]LayerSpec, len(ls))
	yes := true
	for i, s := range ls {
		if s.Type == "conv" && s.Padding == "" {
			s.Padding = "same"
		}
		if s.Type == "batchnorm" && s.Affine == nil {
			s.Affine = &yes
		}
		out[i] = s
	}
	return out
}

// MinWidth is the smallest number of frames an utterance network accepts
// (every pool must keep at least one column); for frames input it is
// InputWidth.
func (a Arch) MinWidth() int {
	if !a.Utterance() {
		return a.InputWidth
	}
	w := 1
	for i := len(a.Layers) - 1; i >= 0; i-- {
		s := a.Layers[i]
		switch s.Type {
		case "maxpool", "avgpool":
			w *= max(1, s.Size[1])
		case "conv":
			if s.Padding == "valid" {
				w += s.Kernel - 1
			}
		}
	}
	return w
}

// Validate checks that a describes a buildable network; errors name the
// layer (from 1) and the problem.
func (a Arch) Validate() error {
	_, _, err := a.build()
	return err
}

// build makes the layers of a for its nominal input (InputWidth, or
// MinWidth frames for an utterance network) and returns them with their
// tensors.
func (a Arch) build() ([]layer, []tensorSpec, error) {
	switch a.Input {
	case "", InputFrames:
		if a.InputWidth < 1 {
			return nil, nil, fmt.Errorf("nn: frames input of width %d", a.InputWidth)
		}
	case InputUtterance:
		if a.InputWidth != 0 {
			return nil, nil, fmt.Errorf("nn: an utterance network has input_width 0 (any length), not %d", a.InputWidth)
		}
	default:
		return nil, nil, fmt.Errorf("nn: input %q (want %q or %q)", a.Input, InputFrames, InputUtterance)
	}
	if len(a.Layers) > 0 && (len(a.Blocks) > 0 || len(a.Dense) > 0) {
		return nil, nil, errors.New("nn: give either layers or blocks/dense, not both")
	}
	if a.InputHeight < 1 || a.InputHeight > 1<<14 || a.InputWidth > 1<<14 {
		return nil, nil, fmt.Errorf("nn: bad input size %d×%d", a.InputHeight, a.InputWidth)
	}
	if len(a.Layers) == 0 {
		if len(a.Blocks) == 0 {
			return nil, nil, errors.New("nn: architecture has no layers")
		}
		if err := a.validateBlocks(); err != nil {
			return nil, nil, err
		}
	}
	if a.Classes < 1 || a.Classes > 1<<12 {
		return nil, nil, fmt.Errorf("nn: %d classes (want 2, or 1 for a single sigmoid logit)", a.Classes)
	}
	ls := a.LayerList()
	last := ls[len(ls)-1]
	if last.Type != "dense" || last.Out != a.Classes {
		return nil, nil, fmt.Errorf("nn: the last layer must be a dense layer of %d units (classes), not %s", a.Classes, describe(last))
	}
	width := a.InputWidth
	if a.Utterance() {
		width = a.MinWidth()
	}
	in := shape{1, a.InputHeight, width}
	var layers []layer
	var ts []tensorSpec
	names := map[string]bool{}
	pooled := !a.Utterance()
	for i, s := range ls {
		l, err := newLayer(s, in)
		if err != nil {
			return nil, nil, fmt.Errorf("nn: layer %d (%s): %w", i+1, s.Type, err)
		}
		if s.Type == "timepool" {
			if pooled {
				return nil, nil, fmt.Errorf("nn: layer %d: timepool needs utterance input, once", i+1)
			}
			pooled = true
		}
		if (s.Type == "dense" || s.Type == "flatten") && !pooled {
			return nil, nil, fmt.Errorf("nn: layer %d (%s): an utterance network must pool over time (timepool) first", i+1, s.Type)
		}
		out := l.outShape(in)
		if out.c < 1 || out.h < 1 || out.w < 1 {
			return nil, nil, fmt.Errorf("nn: layer %d (%s) leaves an empty %d×%d×%d map", i+1, s.Type, out.c, out.h, out.w)
		}
		if out.size() > 1<<26 {
			return nil, nil, fmt.Errorf("nn: layer %d (%s): output of %d values per sample is too large", i+1, s.Type, out.size())
		}
		for _, t := range l.tensors() {
			if s.Name == "" {
				return nil, nil, fmt.Errorf("nn: layer %d (%s) has tensors and needs a name", i+1, s.Type)
			}
			if names[t.name] {
				return nil, nil, fmt.Errorf("nn: layer %d: tensor name %s used twice", i+1, t.name)
			}
			names[t.name] = true
			ts = append(ts, t)
		}
		layers = append(layers, l)
		in = out
	}
	return layers, ts, nil
}

func describe(s LayerSpec) string {
	if s.Type == "dense" {
		return fmt.Sprintf("dense of %d units", s.Out)
	}
	return s.Type
}

func (a Arch) validateBlocks() error {
	h, w := a.InputHeight, a.InputWidth
	for i, b := range a.Blocks {
		if len(b.Channels) == 0 {
			return fmt.Errorf("nn: block %d has no convolution", i+1)
		}
		for _, c := range b.Channels {
			if c < 1 || c > 4096 {
				return fmt.Errorf("nn: block %d: bad channel count %d", i+1, c)
			}
		}
		if b.PoolH < 1 || b.PoolW < 1 {
			return fmt.Errorf("nn: block %d: bad pool %d×%d", i+1, b.PoolH, b.PoolW)
		}
		h, w = h/b.PoolH, w/b.PoolW
		if h < 1 || w < 1 {
			return fmt.Errorf("nn: block %d: pooling leaves an empty %d×%d map", i+1, h, w)
		}
	}
	for i, d := range a.Dense {
		if d.Units < 1 || d.Units > 1<<16 {
			return fmt.Errorf("nn: dense layer %d: bad unit count %d", i+1, d.Units)
		}
		if !(d.Dropout >= 0 && d.Dropout < 1) {
			return fmt.Errorf("nn: dense layer %d: dropout %v outside [0, 1)", i+1, d.Dropout)
		}
	}
	if a.Classes < 2 {
		return fmt.Errorf("nn: %d classes, need at least 2", a.Classes)
	}
	return nil
}

// NumParams counts trainable parameters, as PyTorch's
// sum(p.numel() for p in net.parameters()); 0 for an invalid Arch.
func (a Arch) NumParams() int {
	_, ts, err := a.build()
	if err != nil {
		return 0
	}
	n := 0
	for _, t := range ts {
		if t.param {
			n += t.numel()
		}
	}
	return n
}

func (t tensorSpec) numel() int {
	n := 1
	for _, d := range t.shape {
		n *= d
	}
	return n
}
