package audio

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// FFmpeg decodes the formats this package does not decode itself (Ogg
// Vorbis/Opus, WebM, MP4/M4A/AAC, AIFF, …) by running the ffmpeg program as a
// subprocess. There is no maintained pure-Go Vorbis or Opus decoder, and
// ffmpeg decodes every container a browser or a phone produces.
//
// The input goes to ffmpeg through a temporary file (an MP4 whose index sits
// at the end cannot be read from a pipe); the output comes back on a pipe as
// mono float32 at the requested rate. The run is bounded in time (Timeout)
// and in output (MaxSamples): past either, ffmpeg is killed and the call
// fails, so a crafted file cannot hold a worker or fill the memory.
type FFmpeg struct {
	// Path is the ffmpeg executable; "" looks up "ffmpeg" in $PATH.
	Path string
	// Timeout bounds one decode (0: DefaultFFmpegTimeout).
	Timeout time.Duration
	// MaxSamples bounds the decoded length in output samples (0: no bound
	// beyond the timeout).
	MaxSamples int
}

// DefaultFFmpegTimeout is the time one ffmpeg decode may take when
// FFmpeg.Timeout is 0.
const DefaultFFmpegTimeout = 30 * time.Second

// NeedsFFmpegError is returned for a recognised format that only ffmpeg
// decodes, when ffmpeg is not installed.
type NeedsFFmpegError struct{ Format Format }

func (e *NeedsFFmpegError) Error() string {
	return fmt.Sprintf("%s audio is decoded by ffmpeg, which is not installed (install ffmpeg, e.g. apt-get install ffmpeg, or convert the file to WAV, FLAC or MP3)", e.Format)
}

// path returns the executable to run, or a *NeedsFFmpegError.
func (f *FFmpeg) path(format Format) (string, error) {
	p := "ffmpeg"
	if f != nil && f.Path != "" {
		p = f.Path
	}
	full, err := exec.LookPath(p)
	if err != nil {
		return "", &NeedsFFmpegError{Format: format}
	}
	return full, nil
}

// Available reports whether the ffmpeg executable can be found.
func (f *FFmpeg) Available() bool {
	_, err := f.path(FormatUnknown)
	return err == nil
}

// Decode runs ffmpeg on data (of the sniffed format, used in messages) and
// returns mono samples at rate Hz (ffmpeg downmixes and resamples). ctx
// cancels the run.
func (f *FFmpeg) Decode(ctx context.Context, data []byte, format Format, rate int) ([]float32, error) {
	if err := checkRate("target", uint64(max(rate, 0))); err != nil {
		return nil, err
	}
	exe, err := f.path(format)
	if err != nil {
		return nil, err
	}
	timeout, maxSamples := DefaultFFmpegTimeout, 0
	if f != nil {
		if f.Timeout > 0 {
			timeout = f.Timeout
		}
		maxSamples = f.MaxSamples
	}
	in, err := os.CreateTemp("", "deep4deep-ffmpeg-*")
	if err != nil {
		return nil, fmt.Errorf("ffmpeg input: %w", err)
	}
	defer os.Remove(in.Name())
	if _, err := in.Write(data); err != nil {
		in.Close()
		return nil, fmt.Errorf("ffmpeg input: %w", err)
	}
	if err := in.Close(); err != nil {
		return nil, fmt.Errorf("ffmpeg input: %w", err)
	}

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe,
		"-nostdin", "-hide_banner", "-loglevel", "error",
		"-i", in.Name(),
		"-vn", "-sn", "-dn", "-map", "0:a:0",
		"-ac", "1", "-ar", strconv.Itoa(rate), "-f", "f32le", "pipe:1")
	var stderr bytes.Buffer
	cmd.Stderr = &limitedBuffer{buf: &stderr, max: 4096}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("ffmpeg: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("ffmpeg: %w", err)
	}
	limit := int64(math.MaxInt64)
	if maxSamples > 0 {
		limit = 4*int64(maxSamples) + 4 // one sample past the limit tells "too long"
	}
	raw, rerr := io.ReadAll(io.LimitReader(out, limit))
	tooLong := maxSamples > 0 && int64(len(raw)) >= limit
	if tooLong {
		cancel() // stop ffmpeg; its exit error is expected
	}
	werr := cmd.Wait()
	switch {
	case tooLong:
		return nil, fmt.Errorf("%w: %s longer than %d samples at %d Hz", ErrTooLong, format, maxSamples, rate)
	case ctx.Err() == context.DeadlineExceeded:
		return nil, fmt.Errorf("%s: ffmpeg took longer than %v", format, timeout)
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case werr != nil:
		msg := lastLine(stderr.String())
		if msg == "" {
			msg = werr.Error()
		}
		return nil, fmt.Errorf("%s: ffmpeg could not decode it: %s", format, msg)
	case rerr != nil:
		return nil, fmt.Errorf("%s: reading ffmpeg output: %w", format, rerr)
	}
	n := len(raw) / 4
	if n == 0 {
		return nil, fmt.Errorf("%s: ffmpeg found no audio", format)
	}
	samples := make([]float32, n)
	for i := range samples {
		v := math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		if v != v {
			v = 0
		}
		samples[i] = v
	}
	return samples, nil
}

// lastLine returns the last non-empty line of s, at most 200 bytes.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	l := strings.TrimSpace(lines[len(lines)-1])
	if len(l) > 200 {
		l = l[:200] + "…"
	}
	return l
}

// limitedBuffer keeps the first max bytes written to it and drops the rest
// (ffmpeg's error output on a crafted file can be long).
type limitedBuffer struct {
	buf *bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// IsTooLong reports whether err is a decoder stopping at its duration limit.
func IsTooLong(err error) bool { return errors.Is(err, ErrTooLong) }
