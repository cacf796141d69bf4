package cli

import (
	"time"

	"github.com/schollz/progressbar/v3"
)

// Progress is a progress bar with ETA and throughput, drawn on the terminal
// only. A nil *Progress is valid and does nothing, so callers never branch on
// whether a bar is shown. It is safe for concurrent use.
type Progress struct {
	bar *progressbar.ProgressBar
}

// Progress returns a bar for total units of work named unit (e.g. "files"),
// or nil when env is quiet or stderr is not a terminal.
func (env *Env) Progress(total int64, description, unit string) *Progress {
	if env == nil || env.Quiet || !env.Terminal {
		return nil
	}
	bar := progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(env.Stderr),
		progressbar.OptionSetDescription(description),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString(unit),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetWidth(30),
	)
	return &Progress{bar}
}

// Add records n more units done.
func (p *Progress) Add(n int) {
	if p != nil {
		p.bar.Add(n)
	}
}

// Describe changes the text in front of the bar.
func (p *Progress) Describe(s string) {
	if p != nil {
		p.bar.Describe(s)
	}
}

// Done removes the bar from the terminal.
func (p *Progress) Done() {
	if p != nil {
		p.bar.Finish()
	}
}
