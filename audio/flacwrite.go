package audio

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/deep4deep/deep4deep/internal/atomicfile"
	"github.com/mewkiz/flac"
	"github.com/mewkiz/flac/frame"
	"github.com/mewkiz/flac/meta"
)

// flacBlock is the block size of written FLAC files (the reference
// encoder's default for 16 kHz and up).
const flacBlock = 4096

// EncodeFLAC16 writes samples (−1…1, clipped) as a 16-bit mono FLAC stream
// at rate Hz, the form of the ASVspoof 2019 and 2021 corpora. Samples are
// quantised as in EncodeWAV16 (ToInt16), so a WAV and a FLAC of the same
// samples decode to the same values. The stream info carries the sample
// count and the MD5 of the samples; each block is coded with the best
// fixed predictor (github.com/mewkiz/flac's prediction analysis).
func EncodeFLAC16(w io.Writer, samples []float32, rate int) error {
	if rate < MinRate || rate > MaxRate {
		return fmt.Errorf("sample rate %d Hz out of range", rate)
	}
	pcm := make([]int32, len(samples))
	raw := make([]byte, 2*len(samples))
	for i, v := range samples {
		s := ToInt16(v)
		pcm[i] = int32(s)
		binary.LittleEndian.PutUint16(raw[2*i:], uint16(s))
	}
	info := &meta.StreamInfo{
		BlockSizeMin: flacBlock, BlockSizeMax: flacBlock,
		SampleRate: uint32(rate), NChannels: 1, BitsPerSample: 16,
		NSamples: uint64(len(samples)), MD5sum: md5.Sum(raw),
	}
	// A plain writer (not an io.WriteSeeker): the encoder then keeps the
	// stream info above instead of seeking back to rewrite it.
	enc, err := flac.NewEncoder(struct{ io.Writer }{w}, info)
	if err != nil {
		return err
	}
	for i, num := 0, uint64(0); i < len(pcm); i, num = i+flacBlock, num+1 {
		block := pcm[i:min(i+flacBlock, len(pcm))]
		f := &frame.Frame{
			Header: frame.Header{
				HasFixedBlockSize: true, BlockSize: uint16(len(block)),
				SampleRate: uint32(rate), Channels: frame.ChannelsMono, BitsPerSample: 16, Num: num,
			},
			Subframes: []*frame.Subframe{{SubHeader: frame.SubHeader{Pred: frame.PredVerbatim}, Samples: block, NSamples: len(block)}},
		}
		if err := enc.WriteFrame(f); err != nil {
			return err
		}
	}
	return enc.Close()
}

// WriteFLAC16 writes samples to path as 16-bit mono FLAC (see EncodeFLAC16),
// atomically: a temporary file renamed into place.
func WriteFLAC16(path string, samples []float32, rate int) error {
	var buf bytes.Buffer
	if err := EncodeFLAC16(&buf, samples, rate); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, buf.Bytes(), 0o644)
}
