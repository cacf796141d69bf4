package audio

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// alignSNR finds the delay d in [0, maxLag] at which got[d:] best matches
// ref (ffmpeg trims the encoder delay that LAME records in its gapless
// header, go-mp3 does not) and returns the signal-to-error ratio in dB over
// the overlap, with d.
func alignSNR(got, ref []float32, maxLag int) (snr float64, lag int) {
	// Pick the delay on a 0.25 s stretch of speech, then measure over all.
	snrAt := func(d, from, n int) float64 {
		var sig, e float64
		for i := from; i < from+n; i++ {
			r := float64(ref[i])
			sig += r * r
			diff := float64(got[d+i]) - r
			e += diff * diff
		}
		return 10 * math.Log10(sig/math.Max(e, 1e-30))
	}
	from := min(len(ref)/3, 8000)
	best := math.Inf(-1)
	for d := 0; d <= maxLag && d < len(got); d++ {
		n := min(len(got)-d, len(ref)) - from
		if n <= 0 {
			break
		}
		if s := snrAt(d, from, min(n, 4000)); s > best {
			best, lag = s, d
		}
	}
	return snrAt(lag, 0, min(len(got)-lag, len(ref))), lag
}

// TestMP3MatchesFFmpeg checks go-mp3 against ffmpeg's MP3 decoder on the
// same LAME-encoded speech (testdata/mp3/make.sh): same rate, same length up
// to the encoder delay, and the same waveform to within 16-bit rounding.
func TestMP3MatchesFFmpeg(t *testing.T) {
	for _, tc := range []struct {
		name   string
		rate   int
		minSNR float64
	}{
		{"mono16k", 16000, 60},
		{"stereo44k", 44100, 60},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata/mp3", tc.name+".mp3"))
			if err != nil {
				t.Fatal(err)
			}
			if f := Sniff(data); f != FormatMP3 {
				t.Fatalf("Sniff = %q, want MP3", f)
			}
			got, rate, err := decodeMP3(data, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			refData, err := os.ReadFile(filepath.Join("testdata/mp3", tc.name+".ffmpeg.wav"))
			if err != nil {
				t.Fatal(err)
			}
			ref, refRate, err := Decode(refData)
			if err != nil {
				t.Fatal(err)
			}
			if rate != tc.rate || refRate != tc.rate {
				t.Fatalf("rates: go-mp3 %d, ffmpeg %d, want %d", rate, refRate, tc.rate)
			}
			snr, lag := alignSNR(got, ref, 3000)
			t.Logf("%d samples (ffmpeg %d), delay %d, SNR %.1f dB", len(got), len(ref), lag, snr)
			if snr < tc.minSNR {
				t.Errorf("SNR against ffmpeg %.1f dB < %.0f dB", snr, tc.minSNR)
			}
			// go-mp3 keeps the encoder delay and padding that ffmpeg trims:
			// at most two 1152-sample frames plus LAME's 529 + 576 samples.
			if extra := len(got) - len(ref); extra < 0 || extra > 2*1152+1105 {
				t.Errorf("go-mp3 gave %d samples, ffmpeg %d", len(got), len(ref))
			}
		})
	}
}

// TestMP3NotNative: MPEG-2 at 22.05 kHz is the case go-mp3 got wrong (see
// mp3.go), so the Decoder sends it to ffmpeg, whose output is the reference.
func TestMP3NotNative(t *testing.T) {
	data := mustRead(t, "testdata/mp3/mono22k-id3.mp3")
	if mp3Rate(data) != 22050 || mp3Native(data) {
		t.Fatalf("rate %d, native %v", mp3Rate(data), mp3Native(data))
	}
	if got, _, err := decodeMP3(data, Limits{}); err == nil {
		ref, _, _ := Decode(mustRead(t, "testdata/mp3/mono22k-id3.ffmpeg.wav"))
		snr, _ := alignSNR(got, ref, 3000)
		t.Logf("go-mp3 on MPEG-2 22.05 kHz 32 kbit/s: SNR %.1f dB against ffmpeg (why it is not used)", snr)
	}
	_, _, err := (&Decoder{NoFFmpeg: true}).DecodeTo(context.Background(), data, 16000)
	var nf *NeedsFFmpegError
	if !errors.As(err, &nf) || !strings.Contains(err.Error(), "MP3 at 22050 Hz") {
		t.Errorf("without ffmpeg: %v", err)
	}
	if !(&FFmpeg{}).Available() {
		t.Skip("ffmpeg not installed")
	}
	x, err := (&FFmpeg{}).Decode(context.Background(), data, FormatMP3, 22050)
	if err != nil {
		t.Fatal(err)
	}
	ref, _, _ := Decode(mustRead(t, "testdata/mp3/mono22k-id3.ffmpeg.wav"))
	if snr, lag := alignSNR(x, ref, 10); snr < 60 || lag != 0 {
		t.Errorf("ffmpeg f32 vs s16 output: SNR %.1f dB at lag %d", snr, lag)
	}
}

func TestMP3Limits(t *testing.T) {
	data, err := os.ReadFile("testdata/mp3/mono16k.mp3")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := decodeMP3(data, Limits{MaxDuration: time.Second}); !IsTooLong(err) {
		t.Errorf("2.6 s with a 1 s limit: err = %v, want too long", err)
	}
	// Truncated and corrupted streams are errors or shorter signals, never panics.
	for _, cut := range []int{1, 4, 100, 417, len(data) / 2} {
		x, _, err := decodeMP3(data[:cut], Limits{})
		if err == nil && len(x) == 0 {
			t.Errorf("cut at %d: no error and no samples", cut)
		}
	}
	bad := append([]byte(nil), data...)
	for i := 200; i < len(bad); i += 37 {
		bad[i] ^= 0x5a
	}
	if _, _, err := decodeMP3(bad, Limits{}); err != nil {
		t.Logf("corrupted stream: %v", err)
	}
}

func TestSniff(t *testing.T) {
	read := func(p string) []byte {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tc := range []struct {
		name string
		data []byte
		want Format
	}{
		{"wav", read("testdata/mono24_16000.wav"), FormatWAV},
		{"flac", read("testdata/mono24_16000.flac"), FormatFLAC},
		{"flac behind an ID3 tag", append([]byte("ID3\x03\x00\x00\x00\x00\x00\x02ab"), read("testdata/mono24_16000.flac")...), FormatFLAC},
		{"mp3", read("testdata/mp3/mono16k.mp3"), FormatMP3},
		{"mp3 with ID3", read("testdata/mp3/mono22k-id3.mp3"), FormatMP3},
		{"opus", read("testdata/clip.opus"), FormatOpus},
		{"vorbis", read("testdata/clip.ogg"), FormatVorbis},
		{"webm", []byte("\x1a\x45\xdf\xa3\x01\x00\x00\x00"), FormatWebM},
		{"m4a", []byte("\x00\x00\x00\x20ftypM4A \x00\x00"), FormatMP4},
		{"aiff", []byte("FORM\x00\x00\x00\x10AIFFCOMM"), FormatAIFF},
		{"adts", []byte{0xFF, 0xF1, 0x50, 0x80, 0x02, 0x1F, 0xFC}, FormatAAC},
		{"text", []byte("hello, world"), FormatUnknown},
		{"empty", nil, FormatUnknown},
		{"ID3 tag only", []byte("ID3\x03\x00\x00\x00\x00\x7f\x7f"), FormatUnknown},
		{"bad mp3 header (layer I)", []byte{0xFF, 0xFF, 0x90, 0x00}, FormatUnknown},
	} {
		if got := Sniff(tc.data); got != tc.want {
			t.Errorf("%s: Sniff = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestDecoderFFmpeg decodes Ogg Vorbis and Opus through ffmpeg when it is
// installed, and checks the error that names ffmpeg when it is not.
func TestDecoderFFmpeg(t *testing.T) {
	ctx := context.Background()
	src, _, err := Decode(mustRead(t, "testdata/mp3/mono16k.ffmpeg.wav"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"clip.ogg", "clip.opus"} {
		data := mustRead(t, filepath.Join("testdata", name))
		missing := &Decoder{FFmpeg: &FFmpeg{Path: "/nonexistent/ffmpeg"}}
		_, f, err := missing.DecodeTo(ctx, data, 16000)
		var nf *NeedsFFmpegError
		if !errors.As(err, &nf) || !strings.Contains(err.Error(), "install ffmpeg") || !strings.Contains(err.Error(), string(f)) {
			t.Errorf("%s without ffmpeg: %v", name, err)
		}
		if !(&FFmpeg{}).Available() {
			t.Logf("ffmpeg not installed: %s decoding skipped", name)
			continue
		}
		x, f, err := (&Decoder{}).DecodeTo(ctx, data, 16000)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// The same 2.6 s of speech: length within codec padding, and energy
		// within 1 dB of the source's.
		if d := math.Abs(float64(len(x)-len(src))) / 16000; d > 0.1 {
			t.Errorf("%s (%s): %d samples, source %d", name, f, len(x), len(src))
		}
		if e, es := energy(x), energy(src); math.Abs(10*math.Log10(e/es)) > 1 {
			t.Errorf("%s: energy %.4g, source %.4g", name, e, es)
		}
		// Limits: output length and time.
		if _, _, err := (&Decoder{Limits: Limits{MaxDuration: time.Second / 2}}).DecodeTo(ctx, data, 16000); !IsTooLong(err) {
			t.Errorf("%s with a 0.5 s limit: %v", name, err)
		}
		if _, _, err := (&Decoder{FFmpeg: &FFmpeg{Timeout: time.Nanosecond}}).DecodeTo(ctx, data, 16000); err == nil {
			t.Errorf("%s with a 1 ns timeout: no error", name)
		}
	}
	if (&FFmpeg{}).Available() {
		// Garbage in a known container: ffmpeg's reason comes back.
		junk := append([]byte("OggS\x00\x02"), make([]byte, 200)...)
		if _, _, err := (&Decoder{}).DecodeTo(ctx, junk, 16000); err == nil || !strings.Contains(err.Error(), "ffmpeg") {
			t.Errorf("junk Ogg: %v", err)
		}
	}
}

func TestDecoderNative(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		file string
		want Format
	}{
		{"testdata/mono24_16000.wav", FormatWAV},
		{"testdata/stereo16_22050.flac", FormatFLAC},
		{"testdata/mp3/stereo44k.mp3", FormatMP3},
	} {
		x, f, err := (&Decoder{NoFFmpeg: true}).DecodeTo(ctx, mustRead(t, tc.file), 16000)
		if err != nil || f != tc.want || len(x) == 0 {
			t.Errorf("%s: %d samples, %q, %v", tc.file, len(x), f, err)
		}
	}
	if _, _, err := (&Decoder{}).DecodeTo(ctx, []byte("not audio at all"), 16000); !errors.Is(err, ErrUnsupportedFormat) {
		t.Errorf("text: %v", err)
	}
	if _, _, err := (&Decoder{NoFFmpeg: true}).DecodeTo(ctx, mustRead(t, "testdata/clip.opus"), 16000); err == nil {
		t.Error("opus with NoFFmpeg decoded")
	}
}

func mustRead(t testing.TB, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func energy(x []float32) float64 {
	s := 0.0
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return s / float64(len(x))
}

// FuzzDecodeAny feeds arbitrary bytes to Decoder.DecodeTo (ffmpeg off: the
// fuzzer must not spawn processes): it must never panic, accepted input must
// give finite samples, and the memory it allocates must stay within a small
// multiple of the input plus the sample limit.
func FuzzDecodeAny(f *testing.F) {
	for _, p := range []string{"testdata/mp3/mono16k.mp3", "testdata/mp3/mono22k-id3.mp3", "testdata/mono24_16000.wav", "testdata/clip.opus"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b[:min(len(b), 4096)])
	}
	const maxSeconds = 60
	const maxSamples = 48000 * maxSeconds // MP3's highest rate
	f.Fuzz(func(t *testing.T, data []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		d := &Decoder{NoFFmpeg: true, Limits: Limits{MaxDuration: maxSeconds * time.Second}}
		x, _, err := d.DecodeTo(context.Background(), data, 16000)
		runtime.ReadMemStats(&after)
		// Budget: 64× the input (WAV/FLAC expand at most ~16×, decoders keep
		// copies) plus the MP3 limit's float32 samples and their resampled
		// copy, plus 4 MB of decoder state.
		budget := uint64(64*len(data)) + 3*4*maxSamples*3 + 4<<20
		if got := after.TotalAlloc - before.TotalAlloc; got > budget {
			t.Fatalf("%d input bytes allocated %d bytes (budget %d)", len(data), got, budget)
		}
		if err != nil {
			return
		}
		for i, v := range x {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("sample %d is %v", i, v)
			}
		}
	})
}

// BenchmarkDecodeMP3 measures go-mp3 (in-process) beside ffmpeg (a
// subprocess per file, as the fallback runs it) on the same 2.6 s file, in
// audio seconds per wall second: go test ./audio -run '^$' -bench DecodeMP3
func BenchmarkDecodeMP3(b *testing.B) {
	data := mustRead(b, "testdata/mp3/mono16k.mp3")
	b.Run("go-mp3", func(b *testing.B) {
		var n int
		for b.Loop() {
			x, _, err := decodeMP3(data, Limits{})
			if err != nil {
				b.Fatal(err)
			}
			n = len(x)
		}
		b.ReportMetric(float64(n)/16000*float64(b.N)/b.Elapsed().Seconds(), "audio-s/s")
	})
	b.Run("ffmpeg", func(b *testing.B) {
		if !(&FFmpeg{}).Available() {
			b.Skip("ffmpeg not installed")
		}
		var n int
		for b.Loop() {
			x, err := (&FFmpeg{}).Decode(context.Background(), data, FormatMP3, 16000)
			if err != nil {
				b.Fatal(err)
			}
			n = len(x)
		}
		b.ReportMetric(float64(n)/16000*float64(b.N)/b.Elapsed().Seconds(), "audio-s/s")
	})
}
