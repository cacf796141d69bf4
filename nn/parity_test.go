package nn

//go:generate sh -c "DEEP4DEEP_GEN_PARITY=1 go test -run TestGenerateParityFixture -count=1 ."

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deep4deep/deep4deep/safetensors"
)

// The parity fixture: weights of a default-architecture network with
// non-trivial batch-norm running statistics (Go-made), a few random images,
// and the eval-mode logits that PyTorch computes for them with the
// reference network (../shared/bench/torch_cnn.py). Regenerate with
// `go generate ./nn` (needs /usr/bin/python3 with torch).
const (
	parityModel  = "testdata/parity/model.safetensors"
	parityImages = "testdata/parity/images.npy"
	parityLogits = "testdata/parity/logits.json"
	torchCNN     = "../../shared/bench/torch_cnn.py" // relative to this package, as go test runs it
)

func TestGenerateParityFixture(t *testing.T) {
	if os.Getenv("DEEP4DEEP_GEN_PARITY") == "" {
		t.Skip("set DEEP4DEEP_GEN_PARITY=1 to regenerate the PyTorch parity fixture")
	}
	a := DefaultArch()
	n, err := New(a, 2024)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	rng := rand.New(rand.NewPCG(11, 12))
	// Training steps move every parameter and bring the running statistics
	// to the activations' scale (at initialisation they would shrink the
	// signal to nothing in inference mode and make the check weak).
	opt := NewAdam(n, 1e-3)
	for i := 0; i < 40; i++ {
		x, y := randInput(rng, a, 16)
		if _, _, err := n.TrainStep(x, y, opt); err != nil {
			t.Fatal(err)
		}
	}
	ts := n.Tensors()
	for name, tr := range ts {
		switch {
		case strings.HasSuffix(name, "running_mean"):
			for i := range tr.F32 {
				tr.F32[i] += float32(0.1 * rng.NormFloat64() * math.Sqrt(float64(ts[strings.TrimSuffix(name, "mean")+"var"].F32[i])))
			}
		case strings.HasSuffix(name, "running_var"):
			for i := range tr.F32 {
				tr.F32[i] *= float32(0.7 + 0.7*rng.Float64())
			}
		case strings.Contains(name, ".bn"):
			for i := range tr.F32 {
				tr.F32[i] += float32(0.2 * rng.NormFloat64())
			}
		}
	}
	if err := os.MkdirAll(filepath.Dir(parityModel), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := safetensors.WriteFile(parityModel, ts, map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	const batch = 6
	x, _ := randInput(rng, a, batch)
	if err := os.WriteFile(parityImages, npyF32(x, batch, a.InputHeight, a.InputWidth), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("/usr/bin/python3", torchCNN, "logits", parityModel, parityImages).Output()
	if err != nil {
		t.Fatalf("%s: %v", torchCNN, err)
	}
	if err := os.WriteFile(parityLogits, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// npyF32 encodes a float32 array in NumPy's .npy format (version 1.0).
func npyF32(x []float32, shape ...int) []byte {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = fmt.Sprint(d)
	}
	hdr := fmt.Sprintf("{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }", strings.Join(dims, ", "))
	for (10+len(hdr)+1)%64 != 0 {
		hdr += " "
	}
	hdr += "\n"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	binary.Write(&b, binary.LittleEndian, uint16(len(hdr)))
	b.WriteString(hdr)
	binary.Write(&b, binary.LittleEndian, x)
	return b.Bytes()
}

// readNpyF32 reads what npyF32 writes (little-endian float32, C order).
func readNpyF32(t *testing.T, path string) []float32 {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 10 || string(data[:6]) != "\x93NUMPY" {
		t.Fatalf("%s: not an .npy file", path)
	}
	hl := int(binary.LittleEndian.Uint16(data[8:10]))
	if !strings.Contains(string(data[10:10+hl]), "'<f4'") {
		t.Fatalf("%s: not float32", path)
	}
	body := data[10+hl:]
	x := make([]float32, len(body)/4)
	binary.Read(bytes.NewReader(body), binary.LittleEndian, x)
	return x
}

// TestPyTorchParity checks eval-mode logits against PyTorch's for the same
// weights (fixture above), with every kernel set and several thread counts
// and batch splits.
func TestPyTorchParity(t *testing.T) {
	ts, _, err := safetensors.ReadFile(parityModel)
	if err != nil {
		t.Fatal(err)
	}
	x := readNpyF32(t, parityImages)
	raw, err := os.ReadFile(parityLogits)
	if err != nil {
		t.Fatal(err)
	}
	var want [][]float64
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	a := DefaultArch()
	hw := a.InputHeight * a.InputWidth
	if len(x) != len(want)*hw {
		t.Fatalf("fixture: %d image values for %d logit rows", len(x), len(want))
	}
	for _, ks := range allKernels() {
		for _, threads := range []int{1, 2, 3} {
			n, err := New(a, 1)
			if err != nil {
				t.Fatal(err)
			}
			n.ks = ks
			n.SetThreads(threads)
			if err := n.SetTensors(ts); err != nil {
				t.Fatal(err)
			}
			for _, split := range []int{len(want), 1} {
				for i0 := 0; i0 < len(want); i0 += split {
					out := make([]float32, split*a.Classes)
					if err := n.Logits(x[i0*hw:(i0+split)*hw], split, out); err != nil {
						t.Fatal(err)
					}
					for i := 0; i < split; i++ {
						for c := 0; c < a.Classes; c++ {
							g, w := float64(out[i*a.Classes+c]), want[i0+i][c]
							if math.Abs(g-w) > 2e-6*math.Max(1, math.Abs(w)) { // measured: about 1e-7
								t.Errorf("%s, %d threads, batch %d: sample %d class %d: logit %.7g, PyTorch %.7g", ks.name, threads, split, i0+i, c, g, w)
							}
						}
					}
				}
			}
			n.Close()
		}
	}
}
