package audio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// WAV format tags.
const (
	wavePCM        = 0x0001
	waveFloat      = 0x0003
	waveExtensible = 0xFFFE
)

// wavFormat is the content of a "fmt " chunk that matters for decoding.
type wavFormat struct {
	tag      uint16 // PCM or float (after resolving WAVE_FORMAT_EXTENSIBLE)
	channels int
	rate     int
	bits     int // container bits per sample
	align    int // bytes per frame (all channels)
}

// decodeWAV decodes a RIFF/WAVE file. Chunks are walked in order; unknown
// chunks are skipped, odd-sized chunks are followed by a pad byte, and the
// "fmt " chunk must come before "data". The output is allocated only once
// the data chunk is known to be present in full and within lim, so it is at
// most 4× the input's size (8-bit mono).
func decodeWAV(data []byte, lim Limits) ([]float32, int, error) {
	var (
		f       wavFormat
		haveFmt bool
	)
	pos := 12
	for {
		if pos+8 > len(data) {
			if haveFmt {
				return nil, 0, errors.New("WAV has no data chunk (truncated?)")
			}
			return nil, 0, errors.New("WAV has no fmt chunk (truncated?)")
		}
		id := string(data[pos : pos+4])
		size := int64(binary.LittleEndian.Uint32(data[pos+4:]))
		body := int64(pos + 8)
		end := body + size
		switch id {
		case "fmt ":
			if end > int64(len(data)) {
				return nil, 0, fmt.Errorf("WAV truncated: fmt chunk needs %d bytes, %d left", size, int64(len(data))-body)
			}
			var err error
			if f, err = parseFmt(data[body:end]); err != nil {
				return nil, 0, err
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return nil, 0, errors.New("WAV data chunk before fmt chunk")
			}
			if end > int64(len(data)) {
				return nil, 0, fmt.Errorf("WAV truncated: data chunk declares %d bytes, %d present", size, int64(len(data))-body)
			}
			if size%int64(f.align) != 0 {
				return nil, 0, fmt.Errorf("WAV data chunk of %d bytes is not a whole number of %d-byte frames", size, f.align)
			}
			if size == 0 {
				return nil, 0, errors.New("WAV has no samples")
			}
			if n := uint64(size / int64(f.align)); n > lim.maxSamples(f.rate) {
				return nil, 0, lim.tooLong("WAV lasts", n, f.rate)
			}
			x, err := decodePCM(data[body:end], f)
			if err != nil {
				return nil, 0, err
			}
			return x, f.rate, nil
		}
		pos64 := end + size&1 // pad byte after odd-sized chunks
		if pos64 > int64(len(data)) {
			return nil, 0, fmt.Errorf("WAV truncated inside %q chunk", id)
		}
		pos = int(pos64)
	}
}

func parseFmt(b []byte) (wavFormat, error) {
	if len(b) < 16 {
		return wavFormat{}, fmt.Errorf("WAV fmt chunk of %d bytes, want at least 16", len(b))
	}
	f := wavFormat{
		tag:      binary.LittleEndian.Uint16(b[0:]),
		channels: int(binary.LittleEndian.Uint16(b[2:])),
		rate:     int(binary.LittleEndian.Uint32(b[4:])),
		align:    int(binary.LittleEndian.Uint16(b[12:])),
		bits:     int(binary.LittleEndian.Uint16(b[14:])),
	}
	if f.tag == waveExtensible {
		// cbSize(2) validBits(2) channelMask(4) subFormat GUID(16): the
		// GUID's first two bytes are the actual format tag.
		if len(b) < 40 {
			return wavFormat{}, fmt.Errorf("WAVE_FORMAT_EXTENSIBLE fmt chunk of %d bytes, want 40", len(b))
		}
		f.tag = binary.LittleEndian.Uint16(b[24:])
	}
	if f.channels == 0 {
		return wavFormat{}, errors.New("WAV declares 0 channels")
	}
	if err := checkRate("WAV", uint64(f.rate)); err != nil {
		return wavFormat{}, err
	}
	switch f.tag {
	case wavePCM:
		switch f.bits {
		case 8, 16, 24, 32:
		default:
			return wavFormat{}, fmt.Errorf("unsupported PCM sample size %d bits (want 8, 16, 24 or 32)", f.bits)
		}
	case waveFloat:
		if f.bits != 32 && f.bits != 64 {
			return wavFormat{}, fmt.Errorf("unsupported float sample size %d bits (want 32 or 64)", f.bits)
		}
	default:
		return wavFormat{}, fmt.Errorf("unsupported WAV format tag 0x%04x (want PCM or IEEE float)", f.tag)
	}
	if want := f.channels * f.bits / 8; f.align != want {
		return wavFormat{}, fmt.Errorf("WAV block align %d, want %d for %d channels of %d bits", f.align, want, f.channels, f.bits)
	}
	return f, nil
}

// decodePCM converts interleaved frames to mono float32. Integer samples are
// scaled by 2^-(bits-1) (8-bit WAV is unsigned with offset 128), as soundfile
// does; channels are averaged. Float samples are kept as they are (as
// soundfile returns them) up to ±MaxFloatSample; NaN, ±Inf and larger
// magnitudes are errors.
func decodePCM(b []byte, f wavFormat) ([]float32, error) {
	n := len(b) / f.align
	out := make([]float32, n)
	bps := f.bits / 8
	nch := f.channels
	if nch == 1 {
		switch {
		case f.tag == wavePCM && f.bits == 16:
			for i := range out {
				out[i] = float32(int16(binary.LittleEndian.Uint16(b[2*i:]))) * (1.0 / 32768)
			}
			return out, nil
		case f.tag == waveFloat && f.bits == 32:
			for i := range out {
				v := math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
				if !(v >= -MaxFloatSample && v <= MaxFloatSample) {
					return nil, badFloat(i, 0, float64(v))
				}
				out[i] = v
			}
			return out, nil
		}
	}
	inv := 1 / float64(nch)
	for i := range out {
		frame := b[i*f.align : (i+1)*f.align]
		var sum float64
		for c := 0; c < nch; c++ {
			s := frame[c*bps : (c+1)*bps]
			var v float64
			switch {
			case f.tag == waveFloat && bps == 4:
				v = float64(math.Float32frombits(binary.LittleEndian.Uint32(s)))
			case f.tag == waveFloat:
				v = math.Float64frombits(binary.LittleEndian.Uint64(s))
			case bps == 1:
				v = float64(int(s[0])-128) / 128
			case bps == 2:
				v = float64(int16(binary.LittleEndian.Uint16(s))) / (1 << 15)
			case bps == 3:
				v = float64(int32(uint32(s[0])<<8|uint32(s[1])<<16|uint32(s[2])<<24)>>8) / (1 << 23)
			default:
				v = float64(int32(binary.LittleEndian.Uint32(s))) / (1 << 31)
			}
			if !(v >= -MaxFloatSample && v <= MaxFloatSample) {
				return nil, badFloat(i, c, v)
			}
			sum += v
		}
		out[i] = float32(sum * inv)
	}
	return out, nil
}

// badFloat is the error for float sample i of channel c with value v: not a
// number, or beyond ±MaxFloatSample.
func badFloat(i, c int, v float64) error {
	if v != v || math.IsInf(v, 0) {
		return fmt.Errorf("WAV sample %d (channel %d) is %v", i, c, v)
	}
	return fmt.Errorf("WAV float sample %d (channel %d) is %g, beyond ±%d (full scale is ±1; integer samples stored as floats?)", i, c, v, MaxFloatSample)
}
