// Package audio decodes WAV and FLAC files into mono float32 samples,
// resamples them to the pipeline rate and writes 16-bit WAV files (DESIGN §2).
//
// Samples are floats in [-1, 1) scaled as Python's soundfile reader scales
// them (an int16 sample s becomes s/32768), so that features computed here
// match the seed's bit for bit. Multi-channel audio is downmixed by averaging
// the channels.
//
// The WAV reader is written here rather than taken from go-audio/wav, which
// decodes 32-bit float WAV files wrongly and is slow on unbuffered files; the
// format is small and a strict reader gives better errors on truncated or
// corrupt input. FLAC is decoded with github.com/mewkiz/flac.
//
// Hostile input. Every decoder allocates at most a small multiple of its
// input's size plus a constant before it has decoded the samples that justify
// more: sizes and sample counts declared in headers are checked against the
// bytes present and against Limits, never trusted for an allocation. Sample
// rates outside [MinRate, MaxRate] are errors, and so is audio longer than
// Limits.MaxDuration (default DefaultMaxDuration), checked against the
// declared length before decoding and against the decoded length as frames
// arrive. Float samples beyond ±MaxFloatSample are rejected (see decodePCM).
package audio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/deep4deep/deep4deep/internal/atomicfile"
)

// PipelineRate is the sample rate, in Hz, at which every feature is computed.
const PipelineRate = 16000

// Accepted sample rates, in Hz: from telephone-band recorders to the fastest
// rate audio interfaces offer. A rate outside this range is an error: such a
// header is corrupt or hostile (a 1 Hz WAV of 400 KB would be 55 hours).
const (
	MinRate = 4000
	MaxRate = 384000
)

// DefaultMaxDuration is the longest audio accepted when Limits.MaxDuration is
// zero: one hour, far beyond any utterance a countermeasure scores, small
// enough that one file cannot exhaust memory (1 h at 16 kHz is 230 MB of
// float32 samples).
const DefaultMaxDuration = time.Hour

// MaxFloatSample bounds the magnitude of float WAV samples. Full scale is ±1;
// values a little beyond it are legitimate (a mix or a resampler can
// overshoot) and are kept as they are, exactly as the seed's reader
// (soundfile) returns them, so features stay bit-for-bit. Values beyond ±16
// (+24 dBFS) are not such an overshoot: they are integer samples written as
// floats, or not audio at all, and the file is rejected.
const MaxFloatSample = 16

// ErrUnknownFormat is returned by Decode for data that is neither WAV nor FLAC.
var ErrUnknownFormat = errors.New("unknown audio format (want RIFF/WAVE or FLAC)")

// ErrTooLong is wrapped by the error for audio longer than the duration limit.
var ErrTooLong = errors.New("audio longer than the duration limit")

// Limits bound what a decoder accepts. The zero value applies the defaults.
type Limits struct {
	// MaxDuration is the longest audio accepted (0: DefaultMaxDuration).
	MaxDuration time.Duration
}

// maxDuration is l.MaxDuration with the default applied.
func (l Limits) maxDuration() time.Duration {
	if l.MaxDuration <= 0 {
		return DefaultMaxDuration
	}
	return l.MaxDuration
}

// maxSamples is the most sample frames (per channel) accepted at rate Hz.
func (l Limits) maxSamples(rate int) uint64 {
	return uint64(l.maxDuration().Seconds()*float64(rate)) + 1
}

// tooLong is the error for n samples at rate Hz beyond the limit.
func (l Limits) tooLong(what string, n uint64, rate int) error {
	d := time.Duration(float64(n) / float64(rate) * float64(time.Second)).Round(time.Second)
	return fmt.Errorf("%w: %s %v, the limit is %v", ErrTooLong, what, d, l.maxDuration())
}

// checkRate returns an error for a sample rate outside [MinRate, MaxRate].
func checkRate(format string, rate uint64) error {
	if rate < MinRate || rate > MaxRate {
		return fmt.Errorf("%s declares sample rate %d Hz (accepted: %d to %d Hz)", format, rate, MinRate, MaxRate)
	}
	return nil
}

// Decode decodes a WAV or FLAC file held in data with the default Limits (see
// DecodeLimited).
func Decode(data []byte) (samples []float32, rate int, err error) {
	return DecodeLimited(data, Limits{})
}

// DecodeLimited decodes a WAV or FLAC file held in data, recognised by its
// content, into mono samples (channels averaged) and returns them with the
// sample rate. Empty, truncated, corrupt or out-of-limits input is an error;
// DecodeLimited never panics, and allocates at most a small multiple of
// len(data) plus a constant beyond the samples it returns.
func DecodeLimited(data []byte, lim Limits) (samples []float32, rate int, err error) {
	dec, err := decoderFor(data)
	if err != nil {
		return nil, 0, err
	}
	return dec(data, lim)
}

// decoder decodes one format (see DecodeLimited).
type decoder func(data []byte, lim Limits) ([]float32, int, error)

// sniffLen is the number of leading bytes decoderFor needs at most.
const sniffLen = 12

// decoderFor recognises a file's format by its first bytes (all of data, or
// at least its first sniffLen bytes) and returns its decoder: the one place
// where formats are dispatched, so that a new format is one more case.
func decoderFor(data []byte) (decoder, error) {
	switch {
	case len(data) == 0:
		return nil, errors.New("empty file")
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WAVE":
		return decodeWAV, nil
	case len(data) >= 4 && (string(data[:4]) == "fLaC" || string(data[:3]) == "ID3"):
		return decodeFLAC, nil
	case len(data) >= 4 && (string(data[:4]) == "RIFX" || string(data[:4]) == "RF64"):
		return nil, fmt.Errorf("unsupported WAV variant %q (want little-endian RIFF)", data[:4])
	}
	return nil, ErrUnknownFormat
}

// MaxFileBytes bounds the size of an audio file Load reads: 4 GiB, the most
// a RIFF WAV can hold.
const MaxFileBytes = 1 << 32

// readAudioFile reads the file at path, refusing before reading it all a file
// whose first bytes are no known format (a device such as /dev/zero, a
// text file) and a file larger than MaxFileBytes.
func readAudioFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err // *PathError names the path
	}
	defer f.Close()
	size := int64(0)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		if size = st.Size(); size > MaxFileBytes {
			return nil, fmt.Errorf("%s: file of %d bytes, larger than an audio file can be (%d)", path, size, int64(MaxFileBytes))
		}
	}
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if _, err := decoderFor(head[:n]); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var buf bytes.Buffer
	buf.Grow(int(size) + bytes.MinRead) // ReadFrom wants MinRead spare bytes
	buf.Write(head[:n])
	if _, err := buf.ReadFrom(io.LimitReader(f, MaxFileBytes+1-int64(n))); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if buf.Len() > MaxFileBytes {
		return nil, fmt.Errorf("%s: more than %d bytes, larger than an audio file can be", path, int64(MaxFileBytes))
	}
	return buf.Bytes(), nil
}

// Load reads, decodes and resamples the audio file at path with the default
// Limits (see LoadLimited).
func Load(path string, rate int) ([]float32, error) {
	return LoadLimited(path, rate, Limits{})
}

// LoadLimited reads the audio file at path, decodes it (see DecodeLimited)
// and resamples it to rate Hz. Errors name the path.
func LoadLimited(path string, rate int, lim Limits) ([]float32, error) {
	if err := checkRate("target", uint64(max(rate, 0))); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	data, err := readAudioFile(path)
	if err != nil {
		return nil, err
	}
	x, from, err := DecodeLimited(data, lim)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	y, err := Resample(x, from, rate)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return y, nil
}

// EncodeWAV16 writes samples as a mono 16-bit PCM WAV stream at rate Hz.
// Each sample x becomes round(x·32768) clipped to [-32768, 32767], so that
// decoding gives back exactly the int16/32768 values the pipeline reads.
func EncodeWAV16(w io.Writer, samples []float32, rate int) error {
	if rate <= 0 {
		return fmt.Errorf("invalid sample rate %d", rate)
	}
	n := len(samples) * 2
	if uint64(n)+36 > 0xFFFFFFFF {
		return fmt.Errorf("%d samples do not fit in a WAV file", len(samples))
	}
	buf := make([]byte, 44, 44+n)
	copy(buf[0:], "RIFF")
	putU32(buf[4:], uint32(36+n))
	copy(buf[8:], "WAVEfmt ")
	putU32(buf[16:], 16)
	putU16(buf[20:], 1) // PCM
	putU16(buf[22:], 1) // mono
	putU32(buf[24:], uint32(rate))
	putU32(buf[28:], uint32(rate*2))
	putU16(buf[32:], 2)
	putU16(buf[34:], 16)
	copy(buf[36:], "data")
	putU32(buf[40:], uint32(n))
	buf = buf[:44+n]
	for i, x := range samples {
		putU16(buf[44+2*i:], uint16(ToInt16(x)))
	}
	_, err := w.Write(buf)
	return err
}

// ToInt16 converts a sample in [-1, 1) to 16-bit PCM: round(x·32768) clipped
// to the int16 range (NaN becomes 0).
func ToInt16(x float32) int16 {
	v := float64(x) * 32768
	switch {
	case v != v:
		return 0
	case v >= 32767:
		return 32767
	case v <= -32768:
		return -32768
	case v >= 0:
		return int16(v + 0.5)
	default:
		return -int16(-v + 0.5)
	}
}

// WriteWAV16 writes samples to path as a mono 16-bit WAV file (see
// EncodeWAV16), atomically: the file is complete or absent.
func WriteWAV16(path string, samples []float32, rate int) error {
	var b bytes.Buffer
	if err := EncodeWAV16(&b, samples, rate); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return atomicfile.WriteFile(path, b.Bytes(), 0o644)
}

func putU16(b []byte, v uint16) { b[0], b[1] = byte(v), byte(v>>8) }
func putU32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}
