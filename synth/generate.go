package synth

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/deep4deep/deep4deep/audio"
	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/internal/atomicfile"
	"github.com/deep4deep/deep4deep/internal/par"
	"github.com/deep4deep/deep4deep/progress"
)

// Version identifies the synthesis recipe. It changes whenever the audio
// for a given seed and row changes, and is recorded in the corpus README.
const Version = "3"

// ErrNotEmpty is the error (wrapped in a *FieldError for Out) of Generate
// when the output folder exists, is not empty and Options.Force is off.
var ErrNotEmpty = errors.New("folder exists and is not empty")

// Options configures Generate.
type Options struct {
	Out   string  // corpus root to create
	Scale float64 // fraction of rows kept, in (0, 1]; 0 means 1
	// EvalScale, when > 0, is the fraction of the eval set's rows kept
	// instead of Scale (a larger eval set for tighter confidence intervals
	// at the same training cost). The kept rows are a subset of the full
	// corpus's, as with Scale.
	EvalScale float64
	Seed      uint64
	Like      string // protocol_V2 folder whose rows to reproduce; "" = generate
	// Matched generates the rows of MatchedProtocols (train, dev and eval
	// share their replay configurations) instead of GenerateProtocols.
	// It cannot be combined with Like.
	Matched bool
	Sources string // folder of real recordings to use as clean speech; "" = synthesise
	Workers int    // parallel files; ≤ 0 means GOMAXPROCS
	// Force allows writing into an existing non-empty Out. Files of the
	// new corpus replace those of the same name; nothing else is removed.
	Force bool
	// Command is recorded in the README (how the corpus was made).
	Command string
	// Progress, when set, receives the progress in files written
	// (calls serialised).
	Progress progress.Func
}

// FieldError is an error in one field of Options (or of another options
// struct of this module): Field is the Go field name, so that a command
// line can name its own flag for it.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

func fieldErrorf(field, format string, args ...any) error {
	return &FieldError{Field: field, Err: fmt.Errorf(format, args...)}
}

// Validate checks the values of the options (not the file system); Plan
// and Generate call it first. Its errors are *FieldError.
func (o *Options) Validate() error {
	switch {
	case math.IsNaN(o.Scale) || o.Scale < 0 || o.Scale > 1:
		return fieldErrorf("Scale", "%g outside (0, 1]", o.Scale)
	case math.IsNaN(o.EvalScale) || o.EvalScale < 0 || o.EvalScale > 1:
		return fieldErrorf("EvalScale", "%g outside (0, 1]", o.EvalScale)
	case o.Matched && o.Like != "":
		return fieldErrorf("Matched", "matched protocols are generated: they cannot copy the rows of %s", o.Like)
	}
	return nil
}

// Plan returns the rows Generate would write for opts.
func Plan(opts Options) (Protocols, error) {
	var p Protocols
	if err := opts.Validate(); err != nil {
		return p, err
	}
	switch {
	case opts.Like != "":
		var err error
		if p, err = ReadLike(opts.Like); err != nil {
			return p, &FieldError{Field: "Like", Err: err}
		}
	case opts.Matched:
		p = MatchedProtocols(opts.Seed)
	default:
		p = GenerateProtocols(opts.Seed)
	}
	scale := opts.Scale
	if scale == 0 {
		scale = 1
	}
	out := Scale(p, scale, opts.Seed)
	if opts.EvalScale > 0 && opts.EvalScale != scale {
		out[corpus.Eval] = Scale(p, opts.EvalScale, opts.Seed)[corpus.Eval]
	}
	return out, nil
}

// Generate writes a synthetic corpus in the layout of DESIGN §1: the audio of
// every planned row (in parallel, deterministic whatever the number of
// workers), then the three protocol files, then ROOT/README. The protocols
// are written after the audio, so a corpus whose protocols exist is
// complete. It refuses an existing non-empty Out unless opts.Force.
func Generate(ctx context.Context, opts Options) error {
	if err := opts.checkOut(); err != nil {
		return err
	}
	p, err := Plan(opts)
	if err != nil {
		return err
	}
	var src *Sources
	if opts.Sources != "" {
		if src, err = OpenSources(opts.Sources); err != nil {
			return &FieldError{Field: "Sources", Err: err}
		}
	}
	c := corpus.Corpus{Root: opts.Out}
	type job struct {
		set corpus.Set
		t   corpus.Trial
	}
	var jobs []job
	for _, s := range corpus.Sets {
		if err := os.MkdirAll(filepath.Join(opts.Out, corpus.SetDir(s)), 0o755); err != nil {
			return err
		}
		for _, t := range p[s] {
			jobs = append(jobs, job{s, t})
		}
	}
	// One renderer per worker; every file's randomness comes from the seed
	// and the row, so the output does not depend on the number of workers.
	err = par.Do(ctx, len(jobs), opts.Workers,
		func() (*Renderer, error) { return NewRenderer(opts.Seed, src), nil }, nil,
		func(_ context.Context, g *Renderer, i int) error {
			j := jobs[i]
			x, err := g.Render(j.t)
			if err != nil {
				return fmt.Errorf("%s: %w", j.t.File, err)
			}
			return audio.WriteWAV16(c.AudioPath(j.set, j.t), x, Rate)
		}, opts.Progress.Named("", "files"))
	if err != nil {
		return err
	}
	for _, s := range corpus.Sets {
		if err := corpus.WriteProtocol(c.ProtocolPath(s), p[s]); err != nil {
			return err
		}
	}
	return atomicfile.WriteFile(filepath.Join(opts.Out, "README"), []byte(readme(opts, p)), 0o644)
}

func readme(opts Options, p Protocols) string {
	var b strings.Builder
	scale := opts.Scale
	if scale == 0 {
		scale = 1
	}
	fmt.Fprintf(&b, "Synthetic replay-attack corpus in the layout of ASVspoof 2017 V2,\n")
	fmt.Fprintf(&b, "made by deep4deep synth (github.com/deep4deep/deep4deep/synth).\n\n")
	fmt.Fprintf(&b, "recipe version: %s\nseed: %d\nscale: %g\n", Version, opts.Seed, scale)
	if opts.EvalScale > 0 && opts.EvalScale != scale {
		fmt.Fprintf(&b, "eval scale: %g\n", opts.EvalScale)
	}
	switch {
	case opts.Matched:
		fmt.Fprintf(&b, "rows: matched-condition check: train, dev and eval share the real corpus's replay configurations (disjoint speakers)\n")
	case opts.Like != "":
		fmt.Fprintf(&b, "rows: copied from %s\n", opts.Like)
	default:
		fmt.Fprintf(&b, "rows: generated with the statistics of the real ASVspoof 2017 V2 protocols\n")
	}
	if opts.Sources != "" {
		fmt.Fprintf(&b, "speech: recordings from %s\n", opts.Sources)
	} else {
		fmt.Fprintf(&b, "speech: formant synthesiser (source-filter, per-speaker voices)\n")
	}
	if opts.Command != "" {
		fmt.Fprintf(&b, "command: %s\n", opts.Command)
	}
	b.WriteString("\nset    genuine  spoof  configurations\n")
	for _, s := range corpus.Sets {
		g, sp := counts(p[s])
		fmt.Fprintf(&b, "%-6s %7d %6d %4d\n", s, g, sp, len(configs(p[s])))
	}
	b.WriteString(`
Audio: 16 kHz, 16-bit mono WAV. Genuine = clean speech -> the speaker's
recording session (short room response, background noise) -> the speaker's
phone (microphone response, self-noise, AGC). Spoof = another genuine
recording of the same speaker and phrase -> playback device (Pxx: its
sample-rate converter, distortion rising at its low cut-off, response) ->
replay environment (Exx) -> recording device (Rxx). Each condition ID maps to fixed
parameters (synth/conditions.go). Active speech level is random in
-30..-20 dBFS for both classes. Same seed, rows and recipe version give the
same bytes on the same CPU architecture, whatever the number of workers.
`)
	return b.String()
}

// checkOut refuses an empty Out, and an existing non-empty Out unless Force.
func (opts Options) checkOut() error {
	if opts.Out == "" {
		return &FieldError{Field: "Out", Err: errors.New("no output folder")}
	}
	if ents, err := os.ReadDir(opts.Out); err == nil && len(ents) > 0 && !opts.Force {
		return &FieldError{Field: "Out", Err: fmt.Errorf("%s: %w", opts.Out, ErrNotEmpty)}
	}
	return nil
}
