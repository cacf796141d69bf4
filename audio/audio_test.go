package audio

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// wavSpec builds WAV files for tests, independently of EncodeWAV16.
type wavSpec struct {
	tag        uint16 // 1 PCM, 3 float
	extensible bool
	channels   int
	rate       int
	bits       int
	frames     [][]float64 // frames[i][c] in [-1, 1)
	before     []chunk     // extra chunks before fmt / data
}

type chunk struct {
	id   string
	body []byte
}

func (s wavSpec) bytes() []byte {
	var data bytes.Buffer
	for _, fr := range s.frames {
		for _, v := range fr {
			switch {
			case s.tag == 3 && s.bits == 32:
				binary.Write(&data, binary.LittleEndian, float32(v))
			case s.tag == 3:
				binary.Write(&data, binary.LittleEndian, v)
			case s.bits == 8:
				data.WriteByte(byte(int(math.Round(v*128)) + 128))
			case s.bits == 16:
				binary.Write(&data, binary.LittleEndian, int16(math.Round(v*32768)))
			case s.bits == 24:
				i := int32(math.Round(v * (1 << 23)))
				data.Write([]byte{byte(i), byte(i >> 8), byte(i >> 16)})
			default:
				binary.Write(&data, binary.LittleEndian, int32(math.Round(v*(1<<31))))
			}
		}
	}
	var f bytes.Buffer
	align := s.channels * s.bits / 8
	binary.Write(&f, binary.LittleEndian, uint16(map[bool]uint16{false: s.tag, true: 0xFFFE}[s.extensible]))
	binary.Write(&f, binary.LittleEndian, uint16(s.channels))
	binary.Write(&f, binary.LittleEndian, uint32(s.rate))
	binary.Write(&f, binary.LittleEndian, uint32(s.rate*align))
	binary.Write(&f, binary.LittleEndian, uint16(align))
	binary.Write(&f, binary.LittleEndian, uint16(s.bits))
	if s.extensible {
		binary.Write(&f, binary.LittleEndian, uint16(22))
		binary.Write(&f, binary.LittleEndian, uint16(s.bits))
		binary.Write(&f, binary.LittleEndian, uint32(0))
		binary.Write(&f, binary.LittleEndian, s.tag)
		f.Write([]byte{0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71})
	}
	chunks := append([]chunk{}, s.before...)
	chunks = append(chunks, chunk{"fmt ", f.Bytes()}, chunk{"LIST", []byte("odd")}, chunk{"data", data.Bytes()})
	var body bytes.Buffer
	body.WriteString("WAVE")
	for _, c := range chunks {
		body.WriteString(c.id)
		binary.Write(&body, binary.LittleEndian, uint32(len(c.body)))
		body.Write(c.body)
		if len(c.body)%2 == 1 {
			body.WriteByte(0)
		}
	}
	var out bytes.Buffer
	out.WriteString("RIFF")
	binary.Write(&out, binary.LittleEndian, uint32(body.Len()))
	out.Write(body.Bytes())
	return out.Bytes()
}

// testFrames are exactly representable in 8-bit PCM, so every format must
// decode them to the same mono values.
func testFrames(ch int) [][]float64 {
	vals := []float64{0, 0.5, -0.5, -1, 0.25, 127.0 / 128, -0.75, 1.0 / 128}
	fr := make([][]float64, len(vals))
	for i, v := range vals {
		fr[i] = make([]float64, ch)
		for c := range fr[i] {
			if c%2 == 0 {
				fr[i][c] = v
			} else {
				fr[i][c] = -v / 2
			}
		}
	}
	return fr
}

func TestDecodeWAVFormats(t *testing.T) {
	for _, tc := range []struct {
		name       string
		tag        uint16
		bits       int
		extensible bool
		channels   int
	}{
		{"pcm8", 1, 8, false, 1},
		{"pcm16", 1, 16, false, 1},
		{"pcm24", 1, 24, false, 1},
		{"pcm32", 1, 32, false, 1},
		{"float32", 3, 32, false, 1},
		{"float64", 3, 64, false, 1},
		{"ext-pcm24-stereo", 1, 24, true, 2},
		{"ext-float32-3ch", 3, 32, true, 3},
		{"pcm16-6ch", 1, 16, false, 6},
		{"pcm16-stereo", 1, 16, false, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			frames := testFrames(tc.channels)
			spec := wavSpec{tag: tc.tag, bits: tc.bits, extensible: tc.extensible, channels: tc.channels,
				rate: 22050, frames: frames, before: []chunk{{"junk", []byte{1, 2, 3, 4, 5}}}}
			x, rate, err := Decode(spec.bytes())
			if err != nil {
				t.Fatal(err)
			}
			if rate != 22050 || len(x) != len(frames) {
				t.Fatalf("rate %d, %d samples; want 22050, %d", rate, len(x), len(frames))
			}
			for i, fr := range frames {
				var want float64
				for _, v := range fr {
					want += v
				}
				want /= float64(len(fr))
				if math.Abs(float64(x[i])-want) > 1e-7 {
					t.Errorf("sample %d = %v, want %v", i, x[i], want)
				}
			}
		})
	}
}

func TestDecodeInt16Exact(t *testing.T) {
	// Every int16 value must decode to exactly s/32768, soundfile's scaling.
	x := make([]float32, 65536)
	for i := range x {
		x[i] = float32(i-32768) / 32768
	}
	var b bytes.Buffer
	if err := EncodeWAV16(&b, x, 16000); err != nil {
		t.Fatal(err)
	}
	y, rate, err := Decode(b.Bytes())
	if err != nil || rate != 16000 {
		t.Fatal(err, rate)
	}
	for i := range x {
		if y[i] != x[i] {
			t.Fatalf("sample %d: %v != %v", i, y[i], x[i])
		}
	}
}

func TestToInt16(t *testing.T) {
	for _, tc := range []struct {
		in   float32
		want int16
	}{
		{0, 0}, {1, 32767}, {-1, -32768}, {2, 32767}, {-3, -32768},
		{0.5, 16384}, {1.4 / 32768, 1}, {1.5 / 32768, 2}, {-1.5 / 32768, -2}, {-1.4 / 32768, -1},
		{float32(math.NaN()), 0}, {float32(math.Inf(1)), 32767}, {float32(math.Inf(-1)), -32768},
	} {
		if got := ToInt16(tc.in); got != tc.want {
			t.Errorf("ToInt16(%v) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	good := wavSpec{tag: 1, bits: 16, channels: 1, rate: 16000, frames: testFrames(1)}.bytes()
	setU16 := func(b []byte, off int, v uint16) []byte {
		c := append([]byte(nil), b...)
		binary.LittleEndian.PutUint16(c[off:], v)
		return c
	}
	noData := wavSpec{tag: 1, bits: 16, channels: 1, rate: 16000}.bytes()
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "empty file"},
		{"text", []byte("hello world, not audio"), "unknown audio format"},
		{"header only", good[:12], "no fmt chunk"},
		{"truncated data", good[:len(good)-3], "truncated"},
		{"truncated fmt", good[:30], "truncated"},
		{"zero channels", setU16(good, 22, 0), "0 channels"},
		{"bad bits", setU16(setU16(good, 34, 12), 32, 1), "unsupported PCM sample size 12"},
		{"bad align", setU16(good, 32, 4), "block align 4"},
		{"bad tag", setU16(good, 20, 2), "format tag 0x0002"},
		{"no samples", noData, "no samples"},
		{"rifx", append([]byte("RIFX"), good[4:]...), "RIFX"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x, _, err := Decode(tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
			if x != nil {
				t.Fatal("samples returned with an error")
			}
		})
	}
	nan := wavSpec{tag: 3, bits: 32, channels: 1, rate: 16000, frames: [][]float64{{0}, {math.NaN()}}}.bytes()
	if _, _, err := Decode(nan); err == nil || !strings.Contains(err.Error(), "NaN") {
		t.Errorf("NaN float sample: err = %v", err)
	}
	inf := wavSpec{tag: 3, bits: 64, channels: 2, rate: 16000, frames: [][]float64{{0, 0}, {1e300, 1e300}}}.bytes()
	if _, _, err := Decode(inf); err == nil {
		t.Error("float64 sample beyond float32 range accepted")
	}
}

func TestFLAC(t *testing.T) {
	for _, name := range []string{"stereo16_22050", "mono24_16000"} {
		t.Run(name, func(t *testing.T) {
			fl, err := os.ReadFile(filepath.Join("testdata", name+".flac"))
			if err != nil {
				t.Fatal(err)
			}
			wv, _ := os.ReadFile(filepath.Join("testdata", name+".wav"))
			raw, _ := os.ReadFile(filepath.Join("testdata", name+".f32"))
			x, rate, err := Decode(fl)
			if err != nil {
				t.Fatal(err)
			}
			y, rateW, err := Decode(wv)
			if err != nil {
				t.Fatal(err)
			}
			if rate != rateW || len(x) != len(y) || len(x) != len(raw)/4 {
				t.Fatalf("rates %d/%d, lengths %d/%d/%d", rate, rateW, len(x), len(y), len(raw)/4)
			}
			for i := range x {
				want := math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
				if x[i] != y[i] || math.Abs(float64(x[i]-want)) > 1e-7 {
					t.Fatalf("sample %d: flac %v, wav %v, soundfile %v", i, x[i], y[i], want)
				}
			}
			// Corruption anywhere in the audio frames must be an error.
			for _, cut := range []int{len(fl) / 2, len(fl) - 1} {
				if _, _, err := Decode(fl[:cut]); err == nil {
					t.Errorf("FLAC truncated to %d bytes accepted", cut)
				}
			}
			bad := append([]byte(nil), fl...)
			bad[len(bad)*3/4] ^= 0x55
			if _, _, err := Decode(bad); err == nil {
				t.Error("FLAC with a flipped byte accepted")
			}
		})
	}
}

func TestLoadAndWriteWAV16(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.wav")
	x := []float32{0, 0.25, -0.5, 0.999, -1}
	if err := WriteWAV16(p, x, 16000); err != nil {
		t.Fatal(err)
	}
	y, err := Load(p, 16000)
	if err != nil {
		t.Fatal(err)
	}
	for i := range x {
		if math.Abs(float64(x[i]-y[i])) > 0.5/32768 {
			t.Errorf("sample %d: %v -> %v", i, x[i], y[i])
		}
	}
	y, err = Load(p, 8000)
	if err != nil || len(y) != 3 {
		t.Errorf("Load at 8 kHz: %d samples, %v; want 3", len(y), err)
	}
	os.WriteFile(filepath.Join(dir, "bad.wav"), []byte("RIFF\x04\x00\x00\x00WAVE"), 0o644)
	for _, name := range []string{"bad.wav", "missing.wav"} {
		_, err := Load(filepath.Join(dir, name), 16000)
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("Load(%s): err = %v, want one naming the file", name, err)
		}
	}
}
