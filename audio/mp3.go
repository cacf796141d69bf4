package audio

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/hajimehoshi/go-mp3"
)

// MP3 is decoded with github.com/hajimehoshi/go-mp3, a pure-Go port of the
// PDMP3 decoder. Measured before adopting it (TestMP3MatchesFFmpeg on
// testdata/mp3/, LAME-encoded speech, against ffmpeg's decoder of the same
// stream after aligning ffmpeg's gapless trimming):
//
//   - MPEG-1 (32/44.1/48 kHz) and MPEG-2 at 16 kHz: SNR 67–69 dB, i.e. equal
//     up to 16-bit rounding;
//   - MPEG-2 at 22.05 kHz, 32 kbit/s: SNR −4 dB (wrong output; 64 kbit/s is
//     fine), at 24 kHz, 32 kbit/s: 44 dB; MPEG-2.5 (8–12 kHz): refused.
//
// So go-mp3 decodes only the rates where it was measured exact
// (mp3Native); the other MP3s go to ffmpeg like Ogg, with a clear error
// when ffmpeg is absent. Speed: BenchmarkDecodeMP3. It always yields 16-bit
// stereo; mono streams come out with both channels equal, so averaging them
// is exact.

// id3v2Size returns the length of an ID3v2 tag at the start of data (0 when
// there is none): the 10-byte header, the syncsafe size and the optional
// 10-byte footer.
func id3v2Size(data []byte) int {
	if len(data) < 10 || string(data[:3]) != "ID3" {
		return 0
	}
	s := data[6:10]
	if s[0]|s[1]|s[2]|s[3] >= 0x80 {
		return 0 // not syncsafe: not a tag
	}
	n := 10 + (int(s[0])<<21 | int(s[1])<<14 | int(s[2])<<7 | int(s[3]))
	if data[5]&0x10 != 0 {
		n += 10
	}
	return n
}

// isMP3Header reports whether b starts with a valid MPEG audio Layer III
// frame header: 11 sync bits, a known version, layer III, a bit-rate index
// other than free (0) and bad (15), and a known sample-rate index.
func isMP3Header(b []byte) bool {
	if len(b) < 4 || b[0] != 0xFF || b[1]&0xE0 != 0xE0 {
		return false
	}
	version := (b[1] >> 3) & 3 // 0: MPEG 2.5, 1: reserved, 2: MPEG 2, 3: MPEG 1
	layer := (b[1] >> 1) & 3   // 1: layer III
	bitrate := b[2] >> 4
	rate := (b[2] >> 2) & 3
	return version != 1 && layer == 1 && bitrate != 0 && bitrate != 15 && rate != 3
}

// mp3Rate returns the sample rate of the first frame of an MP3 file (0 if
// there is none).
func mp3Rate(data []byte) int {
	n := id3v2Size(data)
	if n+4 > len(data) || !isMP3Header(data[n:]) {
		return 0
	}
	rates := [4][3]int{{11025, 12000, 8000}, {}, {22050, 24000, 16000}, {44100, 48000, 32000}}
	b := data[n:]
	return rates[(b[1]>>3)&3][(b[2]>>2)&3]
}

// mp3Native reports whether go-mp3 decodes this MP3 exactly (see above).
func mp3Native(data []byte) bool {
	switch mp3Rate(data) {
	case 32000, 44100, 48000, 16000:
		return true
	}
	return false
}

// isMP3 reports whether data looks like an MP3 file: an optional ID3v2 tag,
// then a Layer III frame header.
func isMP3(data []byte) bool {
	n := id3v2Size(data)
	if n > len(data) {
		return false
	}
	return isMP3Header(data[n:])
}

// decodeMP3 decodes an MP3 stream into mono samples (channels averaged, each
// 16-bit sample s scaled to s/32768) and returns them with the sample rate.
// Decoding stops with an ErrTooLong error once the output exceeds lim's
// duration, so a small file cannot expand into a huge buffer (an MP3 is ~10×
// smaller than its samples). A decoder panic on corrupt input becomes an
// error.
func decodeMP3(data []byte, lim Limits) (samples []float32, rate int, err error) {
	defer func() {
		if r := recover(); r != nil {
			samples, rate, err = nil, 0, fmt.Errorf("corrupt MP3 stream (decoder failed: %v)", r)
		}
	}()
	d, err := mp3.NewDecoder(bytes.NewReader(data))
	if err != nil {
		return nil, 0, fmt.Errorf("MP3: %w", err)
	}
	rate = d.SampleRate()
	if err := checkRate("MP3", uint64(max(rate, 0))); err != nil {
		return nil, 0, err
	}
	maxSamples := lim.maxSamples(rate)
	if n := d.Length(); n > 0 {
		want := uint64(n / 4)
		if want > maxSamples {
			return nil, 0, lim.tooLong("MP3 of", want, rate)
		}
		samples = make([]float32, 0, want)
	}
	buf := make([]byte, 4*1152*4)
	for {
		n, rerr := d.Read(buf)
		n -= n % 4
		for i := 0; i < n; i += 4 {
			l := int16(uint16(buf[i]) | uint16(buf[i+1])<<8)
			r := int16(uint16(buf[i+2]) | uint16(buf[i+3])<<8)
			samples = append(samples, (float32(l)+float32(r))*(0.5/32768))
		}
		if uint64(len(samples)) > maxSamples {
			return nil, 0, lim.tooLong("MP3 of more than", uint64(len(samples)), rate)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return nil, 0, fmt.Errorf("MP3: %w", rerr)
		}
	}
	if len(samples) == 0 {
		return nil, 0, errors.New("MP3: no audio frames")
	}
	return samples, rate, nil
}
