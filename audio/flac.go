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
//
// The sample count declared in the stream info is checked against lim but
// never trusted for an allocation: the output starts with room for at most
// len(data) samples (a FLAC of real audio takes more than a byte per sample)
// and grows as frames are decoded. Decoding stops with an error as soon as
// the samples pass lim, pass the declared count, or pass maxFLACRatio
// samples (all channels) per input byte plus flacRatioSlack: a FLAC
// constant subframe codes 65535 samples in a few bytes, so a 200 KB file
// could otherwise expand to gigabytes within the duration limit.
func decodeFLAC(data []byte, lim Limits) (out []float32, rate int, err error) {
	// maxValues: a decompression bomb check. Real recordings, silence
	// included, code far fewer than 64 samples per byte (16-bit speech takes
	// about a byte per sample).
	const maxFLACRatio, flacRatioSlack = 64, 1 << 20
	maxValues := uint64(len(data))*maxFLACRatio + flacRatioSlack
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
	if err := checkRate("FLAC", uint64(info.SampleRate)); err != nil {
		return nil, 0, err
	}
	rate = int(info.SampleRate)
	maxN := lim.maxSamples(rate)
	if info.NSamples > maxN {
		return nil, 0, lim.tooLong("FLAC stream info declares", info.NSamples, rate)
	}
	nch, bps := int(info.NChannels), int(info.BitsPerSample)
	scale := 1 / float64(int64(1)<<(bps-1)) / float64(nch)
	if info.NSamples > 0 {
		out = make([]float32, 0, min(info.NSamples, uint64(len(data))))
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
		switch total := uint64(len(out) + n); {
		case total > maxN:
			return nil, 0, lim.tooLong("FLAC lasts more than", total, rate)
		case info.NSamples != 0 && total > info.NSamples:
			return nil, 0, fmt.Errorf("corrupt FLAC: more than the %d samples the stream info declares", info.NSamples)
		case total*uint64(nch) > maxValues:
			return nil, 0, fmt.Errorf("FLAC expands to more than %d samples from %d bytes (a decompression bomb?)", total*uint64(nch), len(data))
		}
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
		if len(out)+n > cap(out) {
			// Double (append grows large slices by only 1.25×, copying
			// five times the output in all), capped by what the limits allow.
			limit := min(maxN, maxValues/uint64(nch))
			c := max(len(out)+n, int(min(uint64(2*cap(out)), limit)))
			out = append(make([]float32, 0, c), out...)
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
	return out, rate, nil
}
