package audio

import (
	"context"
	"errors"
	"fmt"
	"math"
)

// Format names an audio container or codec recognised from a file's first
// bytes.
type Format string

// Formats Sniff recognises. WAV, FLAC and MP3 (at 16, 32, 44.1 and 48 kHz)
// are decoded in-process; the others through FFmpeg.
const (
	FormatUnknown Format = ""
	FormatWAV     Format = "WAV"
	FormatFLAC    Format = "FLAC"
	FormatMP3     Format = "MP3"
	FormatVorbis  Format = "Ogg Vorbis"
	FormatOpus    Format = "Ogg Opus"
	FormatOgg     Format = "Ogg"
	FormatWebM    Format = "WebM/Matroska"
	FormatMP4     Format = "MP4/M4A"
	FormatAAC     Format = "AAC (ADTS)"
	FormatAIFF    Format = "AIFF"
	FormatCAF     Format = "CAF"
	FormatAMR     Format = "AMR"
)

// Native reports whether the package decodes f without ffmpeg.
func (f Format) Native() bool { return f == FormatWAV || f == FormatFLAC || f == FormatMP3 }

// Sniff recognises the format of an audio file from its first bytes.
func Sniff(data []byte) Format {
	has := func(off int, s string) bool {
		return len(data) >= off+len(s) && string(data[off:off+len(s)]) == s
	}
	switch {
	case has(0, "RIFF") && has(8, "WAVE"), has(0, "RIFX") && has(8, "WAVE"), has(0, "RF64"):
		return FormatWAV
	case has(0, "fLaC"):
		return FormatFLAC
	case has(0, "OggS"):
		// The first page's packet starts at 27 + number of segments.
		if len(data) > 27 {
			p := 27 + int(data[26])
			switch {
			case has(p, "OpusHead"):
				return FormatOpus
			case has(p, "\x01vorbis"):
				return FormatVorbis
			case has(p, "\x7fFLAC"):
				return FormatFLAC + " in Ogg"
			}
		}
		return FormatOgg
	case has(0, "\x1a\x45\xdf\xa3"):
		return FormatWebM
	case has(4, "ftyp"):
		return FormatMP4
	case has(0, "FORM") && (has(8, "AIFF") || has(8, "AIFC")):
		return FormatAIFF
	case has(0, "caff"):
		return FormatCAF
	case has(0, "#!AMR"):
		return FormatAMR
	}
	if n := id3v2Size(data); n > 0 && n+4 <= len(data) && string(data[n:n+4]) == "fLaC" {
		return FormatFLAC
	}
	if isMP3(data) {
		return FormatMP3
	}
	// ADTS AAC: 12 sync bits, layer 0.
	if len(data) >= 7 && data[0] == 0xFF && data[1]&0xF6 == 0xF0 {
		return FormatAAC
	}
	return FormatUnknown
}

// Decoder decodes every format Sniff knows: WAV, FLAC and MP3 in-process
// (MP3 at 16, 32, 44.1 and 48 kHz only; see mp3.go),
// the rest through FFmpeg. The zero value decodes the native formats and
// uses ffmpeg from $PATH for the others.
type Decoder struct {
	// FFmpeg runs ffmpeg for the formats not decoded natively; nil uses
	// ffmpeg from $PATH with the default timeout.
	FFmpeg *FFmpeg
	// NoFFmpeg refuses the formats ffmpeg would decode instead of running it.
	NoFFmpeg bool
	// Limits bound every format's duration (zero value: the defaults).
	Limits Limits
}

// ErrUnsupportedFormat wraps the errors for data of no known audio format.
var ErrUnsupportedFormat = errors.New("unsupported audio format")

// DecodeTo decodes data, recognised by its content, into mono samples at
// rate Hz. It returns the recognised format with the samples. Errors wrap
// ErrUnsupportedFormat for unknown data, are a *NeedsFFmpegError for a known
// format when ffmpeg is missing, and otherwise describe why the data could
// not be decoded. DecodeTo never panics.
func (d *Decoder) DecodeTo(ctx context.Context, data []byte, rate int) ([]float32, Format, error) {
	if err := checkRate("target", uint64(max(rate, 0))); err != nil {
		return nil, FormatUnknown, err
	}
	if len(data) == 0 {
		return nil, FormatUnknown, errors.New("empty file")
	}
	f := Sniff(data)
	switch f {
	case FormatWAV, FormatFLAC:
		x, from, err := DecodeLimited(data, d.Limits)
		if err != nil {
			return nil, f, err
		}
		y, err := Resample(x, from, rate)
		return y, f, err
	case FormatMP3:
		if !mp3Native(data) {
			// go-mp3 is not exact at this rate: ffmpeg decodes it.
			f = Format(fmt.Sprintf("MP3 at %d Hz", mp3Rate(data)))
			break
		}
		x, from, err := decodeMP3(data, d.Limits)
		if err != nil {
			return nil, f, err
		}
		y, err := Resample(x, from, rate)
		return y, f, err
	case FormatUnknown:
		return nil, f, fmt.Errorf("%w (not WAV, FLAC, MP3, Ogg, WebM, MP4/M4A, AAC or AIFF)", ErrUnsupportedFormat)
	}
	if d.NoFFmpeg {
		return nil, f, &NeedsFFmpegError{Format: f}
	}
	ff := d.FFmpeg
	if ff == nil {
		ff = &FFmpeg{}
	}
	if m := int(min(d.Limits.maxSamples(rate), math.MaxInt32)); ff.MaxSamples == 0 || ff.MaxSamples > m {
		c := *ff
		c.MaxSamples = m
		ff = &c
	}
	x, err := ff.Decode(ctx, data, f, rate)
	return x, f, err
}
