package nn

import (
	"errors"
	"fmt"
)

// Arch describes a network of this family: convolution blocks, then dense
// layers, then a linear output layer. It is JSON-serialisable so that the
// model package can store it in config.json and variants need no code.
type Arch struct {
	InputHeight int     `json:"input_height"` // filterbank dimension (64); the input has one channel
	InputWidth  int     `json:"input_width"`  // context frames (17)
	Blocks      []Block `json:"blocks"`
	Dense       []Dense `json:"dense"`
	Classes     int     `json:"classes"`
}

// Block is [conv 3×3 SAME → batch norm → ReLU] × len(Channels), then a
// PoolH × PoolW max pool (stride equal to its size, VALID padding).
type Block struct {
	Channels []int `json:"channels"`
	PoolH    int   `json:"pool_h"`
	PoolW    int   `json:"pool_w"`
}

// Dense is a hidden fully connected layer with ReLU, then inverted dropout
// with probability Dropout in training.
type Dense struct {
	Units   int     `json:"units"`
	Dropout float64 `json:"dropout"`
}

// DefaultArch is the network of SPEC §4.1 (863,358 parameters).
func DefaultArch() Arch {
	return Arch{
		InputHeight: 64,
		InputWidth:  17,
		Blocks: []Block{
			{Channels: []int{4, 4}, PoolH: 2, PoolW: 1},
			{Channels: []int{8, 8}, PoolH: 2, PoolW: 1},
			{Channels: []int{16, 16}, PoolH: 2, PoolW: 2},
			{Channels: []int{32, 32}, PoolH: 2, PoolW: 2},
			{Channels: []int{64, 64}, PoolH: 2, PoolW: 2},
		},
		Dense:   []Dense{{Units: 1024, Dropout: 0.25}, {Units: 512}},
		Classes: 2,
	}
}

// Validate checks that a describes a buildable network.
func (a Arch) Validate() error {
	if a.InputHeight < 1 || a.InputWidth < 1 || a.InputHeight*a.InputWidth > 1<<20 {
		return fmt.Errorf("nn: bad input size %d×%d", a.InputHeight, a.InputWidth)
	}
	if len(a.Blocks) == 0 {
		return errors.New("nn: architecture has no convolution block")
	}
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

// NumParams counts trainable parameters (conv weights and biases, batch-norm
// scales and shifts, dense weights and biases), as PyTorch's
// sum(p.numel() for p in net.parameters()).
func (a Arch) NumParams() int {
	n := 0
	cin := 1
	h, w := a.InputHeight, a.InputWidth
	for _, b := range a.Blocks {
		for _, c := range b.Channels {
			n += cin*c*9 + c + 2*c
			cin = c
		}
		h, w = h/b.PoolH, w/b.PoolW
	}
	f := cin * h * w
	for _, d := range a.Dense {
		n += f*d.Units + d.Units
		f = d.Units
	}
	return n + f*a.Classes + a.Classes
}
