package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/deep4deep/deep4deep/audio"
	"github.com/deep4deep/deep4deep/internal/cli"
)

// maxDurationFlag adds --max-duration, the audio duration limit of the
// commands that read audio files (audio.Limits.MaxDuration).
func maxDurationFlag(fs *cli.FlagSet) *time.Duration {
	return fs.Duration("max-duration", audio.DefaultMaxDuration,
		"longest audio file accepted (longer ones are an error); e.g. 90m, 2h")
}

// audioLimits checks the --max-duration value and returns the limits.
func audioLimits(cmd string, d time.Duration) (audio.Limits, error) {
	if d <= 0 {
		return audio.Limits{}, cli.Usagef("%s: --max-duration %v (want a positive duration)", cmd, d)
	}
	return audio.Limits{MaxDuration: d}, nil
}

// limitHint adds the flag that raises the limit to an audio-too-long error.
func limitHint(err error) error {
	if errors.Is(err, audio.ErrTooLong) {
		return fmt.Errorf("%w (raise the limit with --max-duration)", err)
	}
	return err
}
