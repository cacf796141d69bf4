//go:build tools

// Package deps pins the module dependencies that packages under construction
// will import, so that parallel work never edits go.mod at the same time.
// Delete once every import below is used by real code.
package deps

import (
	_ "github.com/cwbudde/algo-fft"
	_ "github.com/mewkiz/flac"
	_ "github.com/schollz/progressbar/v3"
	_ "golang.org/x/sys/cpu"
	_ "golang.org/x/term"
	_ "gonum.org/v1/gonum/dsp/fourier"
	_ "gonum.org/v1/plot"
	_ "gonum.org/v1/plot/plotter"
	_ "gonum.org/v1/plot/vg/draw"
)
