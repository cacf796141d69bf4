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
	if data, err = flacStart(data); err != nil {
		return nil, 0, err
	}
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

// flacStart returns data from its "fLaC" signature on, past an ID3v2 tag if
// one is prepended, after checking that the first metadata block is a
// STREAMINFO of 34 bytes, as the format requires. The decoder would
// otherwise parse whatever block comes first, allocating for the length it
// declares (a SEEKTABLE "of 12 MB" in a 9-byte file). The tag is skipped
// here because the decoder's own skipping reads ahead and loses bytes.
func flacStart(data []byte) ([]byte, error) {
	if len(data) >= 10 && string(data[:3]) == "ID3" {
		size := int(data[6]&0x7F)<<21 | int(data[7]&0x7F)<<14 | int(data[8]&0x7F)<<7 | int(data[9]&0x7F)
		size += 10
		if data[5]&0x10 != 0 { // footer present
			size += 10
		}
		if size > len(data) {
			return nil, fmt.Errorf("FLAC truncated: ID3 tag of %d bytes, file of %d", size, len(data))
		}
		data = data[size:]
	}
	if len(data) < 8 || string(data[:4]) != "fLaC" {
		return nil, errors.New("FLAC: no fLaC signature (after any ID3 tag)")
	}
	typ := data[4] & 0x7F
	length := int(data[5])<<16 | int(data[6])<<8 | int(data[7])
	if typ != 0 || length != 34 {
		return nil, fmt.Errorf("FLAC: first metadata block is type %d of %d bytes, want STREAMINFO (type 0) of 34", typ, length)
	}
	return data, nil
}
