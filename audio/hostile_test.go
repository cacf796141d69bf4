package audio

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/deep4deep/deep4deep/internal/memtest"
)

// decodeBudget is the most DecodeLimited may allocate for the n-byte file
// data: for WAV, the output (at most 4 bytes per input byte) and a little;
// for FLAC, whose frames legitimately expand (a constant subframe codes
// 65535 samples in a few bytes), what decodeFLAC's bomb check lets through,
// 64 samples per byte plus 2^20, at 12 bytes each (the output, grown by
// doubling, and the decoder's int32 frame buffers), plus a constant for the
// decoder's frame buffers (at most 65535 samples × 8 channels × 4 bytes).
func decodeBudget(data []byte) uint64 {
	n := uint64(len(data))
	if len(data) >= 4 && string(data[:4]) == "fLaC" {
		return 12*(64*n+1<<20) + 4<<20
	}
	return 16*n + 1<<20
}

// TestHostileDecode runs every crafted file of testdata/hostile (see
// make_hostile.py) through Decode: each must give the expected error, or
// decode, within the allocation budget, never trusting declared sizes.
func TestHostileDecode(t *testing.T) {
	for _, tc := range []struct {
		file    string
		want    string // error substring; "" = decodes
		tooLong bool
	}{
		{"flac_streaminfo_huge.flac", "FLAC stream info declares 13h32m30s, the limit is 1h0m0s", true},
		{"flac_2g_badframe.flac", "FLAC stream info declares 13h31m36s, the limit is 1h0m0s", true},
		{"flac_59min_badframe.flac", "corrupt FLAC after 0 samples", false},
		{"flac_bomb.flac", "a decompression bomb?", false},
		{"wav_1hz.wav", "WAV declares sample rate 1 Hz (accepted: 4000 to 384000 Hz)", false},
		{"wav_float_1e30.wav", "WAV float sample 0 (channel 0) is 1.0000000150474662e+30, beyond ±16", false},
		{"silence.wav", "", false},
		{"white_noise.wav", "", false},
		{"square_200hz.wav", "", false},
		{"tone_1khz.wav", "", false},
		{"sweep.wav", "", false},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "hostile", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			var (
				x    []float32
				rate int
			)
			start := time.Now()
			n := memtest.Allocated(func() { x, rate, err = Decode(data) })
			t.Logf("%d bytes in, %d samples at %d Hz out, %d bytes allocated, %v", len(data), len(x), rate, n, time.Since(start))
			if budget := decodeBudget(data); n > budget {
				t.Errorf("allocated %d bytes, budget %d", n, budget)
			}
			if tc.want == "" {
				if err != nil || rate != 16000 || len(x) != 48000 {
					t.Errorf("%d samples at %d Hz, err %v; want 3 s at 16 kHz", len(x), rate, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || x != nil {
				t.Fatalf("%d samples, err = %v; want an error containing %q", len(x), err, tc.want)
			}
			if errors.Is(err, ErrTooLong) != tc.tooLong {
				t.Errorf("errors.Is(err, ErrTooLong) = %v", !tc.tooLong)
			}
		})
	}
}

// TestDurationLimit: a limit below a file's length refuses it, whatever the
// format, before decoding WAV (declared size) and while decoding FLAC.
func TestDurationLimit(t *testing.T) {
	for _, name := range []string{"stereo16_22050.flac", "stereo16_22050.wav", "mono24_16000.flac"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		x, rate, err := DecodeLimited(data, Limits{MaxDuration: 50 * time.Millisecond})
		if !errors.Is(err, ErrTooLong) || x != nil || !strings.Contains(err.Error(), "the limit is 50ms") {
			t.Errorf("%s, 50 ms limit: %d samples at %d Hz, err %v", name, len(x), rate, err)
		}
		if _, _, err := DecodeLimited(data, Limits{MaxDuration: 101 * time.Millisecond}); err != nil {
			t.Errorf("%s, 101 ms limit: %v", name, err)
		}
	}
}

// TestLoadSniffsFirst: a file that is no audio format is refused from its
// first bytes, without reading it whole: /dev/zero would never end.
func TestLoadSniffsFirst(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	var err error
	n := memtest.Allocated(func() { _, err = Load("/dev/zero", 16000) })
	if !errors.Is(err, ErrUnknownFormat) || !strings.Contains(err.Error(), "/dev/zero") || n > 64<<10 {
		t.Errorf("Load(/dev/zero): %v, %d bytes allocated", err, n)
	}
	// A WAV file is read in one allocation of its size (plus a little).
	p := filepath.Join(t.TempDir(), "a.wav")
	if err := WriteWAV16(p, make([]float32, 100000), 16000); err != nil {
		t.Fatal(err)
	}
	var data []byte
	n = memtest.Allocated(func() { data, err = readAudioFile(p) })
	if err != nil || len(data) != 200044 || n > 210000 {
		t.Errorf("readAudioFile: %d bytes, %v, %d bytes allocated", len(data), err, n)
	}
}
