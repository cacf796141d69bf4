package audio

import (
	"bytes"
	"crypto/md5"
	"errors"
	"fmt"
	"io"

	"github.com/mewkiz/flac"
)

// decodeFLAC decodes a FLAC stream with github.com/mewkiz/flac (which checks
// each frame's CRC), scales samples by 2^-(bits-1) and averages channels.
// When the stream carries the MD5 of its samples, the decoded samples are
// checked against it, so a corrupt file never yields garbage. A panic in the
// decoder on hostile input is turned into an error.
func decodeFLAC(data []byte) (out []float32, rate int, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, rate, err = nil, 0, fmt.Errorf("corrupt FLAC (decoder: %v)", r)
		}
	}()
	s, err := flac.New(bytes.NewReader(data))
	if err != nil {
		return nil, 0, fmt.Errorf("FLAC: %w", err)
	}
	info := s.Info
	if info == nil || info.SampleRate == 0 || info.NChannels == 0 || info.BitsPerSample == 0 {
		return nil, 0, errors.New("FLAC stream info missing or invalid")
	}
	nch, bps := int(info.NChannels), int(info.BitsPerSample)
	scale := 1 / float64(int64(1)<<(bps-1)) / float64(nch)
	if info.NSamples > 0 && info.NSamples < 1<<31 {
		out = make([]float32, 0, info.NSamples)
	}
	var zero [md5.Size]byte
	check := info.MD5sum != zero
	h := md5.New()
	nbytes := (bps + 7) / 8
	var buf []byte
	for {
		f, err := s.ParseNext()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, 0, fmt.Errorf("corrupt FLAC after %d samples: %w", len(out), err)
		}
		if len(f.Subframes) != nch {
			return nil, 0, fmt.Errorf("corrupt FLAC: frame has %d channels, stream %d", len(f.Subframes), nch)
		}
		n := int(f.BlockSize)
		for _, sf := range f.Subframes {
			if len(sf.Samples) < n {
				return nil, 0, fmt.Errorf("corrupt FLAC: subframe has %d samples, want %d", len(sf.Samples), n)
			}
		}
		if check {
			buf = buf[:0]
			for i := 0; i < n; i++ {
				for _, sf := range f.Subframes {
					v := sf.Samples[i]
					for k := 0; k < nbytes; k++ {
						buf = append(buf, byte(v>>(8*k)))
					}
				}
			}
			h.Write(buf)
		}
		for i := 0; i < n; i++ {
			var sum int64
			for _, sf := range f.Subframes {
				sum += int64(sf.Samples[i])
			}
			out = append(out, float32(float64(sum)*scale))
		}
	}
	if len(out) == 0 {
		return nil, 0, errors.New("FLAC has no samples")
	}
	if info.NSamples != 0 && uint64(len(out)) != info.NSamples {
		return nil, 0, fmt.Errorf("FLAC truncated: %d samples decoded, stream info declares %d", len(out), info.NSamples)
	}
	if check && !bytes.Equal(h.Sum(nil), info.MD5sum[:]) {
		return nil, 0, errors.New("corrupt FLAC: MD5 of decoded samples does not match the stream info")
	}
	return out, int(info.SampleRate), nil
}
