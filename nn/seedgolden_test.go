package nn

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"sort"
	"testing"
)

// seedCNNModelHash trains the default network (the seed CNN) for three
// Adam steps from seed 42 on the portable kernel set with one thread, on
// batches drawn from PCG(7, 8), and returns the SHA-256 of every tensor
// (parameters and running statistics) in name order: name, shape, values
// as little-endian float32 bits.
func seedCNNModelHash(t *testing.T, a Arch) string {
	n, err := New(a, 42)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	n.ks = goKernels
	n.SetThreads(1)
	opt := NewAdam(n, 1e-3)
	rng := rand.New(rand.NewPCG(7, 8))
	const batch = 16
	x := make([]float32, batch*64*17)
	y := make([]int32, batch)
	for step := 0; step < 3; step++ {
		for i := range x {
			x[i] = float32(rng.NormFloat64())
		}
		for i := range y {
			y[i] = int32(rng.IntN(2))
		}
		if _, _, err := n.TrainStep(x, y, opt); err != nil {
			t.Fatal(err)
		}
	}
	ts := n.Tensors()
	names := make([]string, 0, len(ts))
	for name := range ts {
		names = append(names, name)
	}
	sort.Strings(names)
	h := sha256.New()
	var b [4]byte
	for _, name := range names {
		h.Write([]byte(name))
		for _, d := range ts[name].Shape {
			binary.LittleEndian.PutUint32(b[:], uint32(d))
			h.Write(b[:])
		}
		for _, v := range ts[name].F32 {
			binary.LittleEndian.PutUint32(b[:], math.Float32bits(v))
			h.Write(b[:])
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// seedCNNGolden is seedCNNModelHash of the seed CNN as trained by the code
// before engine v2 (the layer seam, the graph engine and the arch JSON)
// landed: commit 791b759 ("features: an npy dimension that overflows int
// is 'too large'", the parent of 3c58b8e "nn: layer seam"). It was recorded
// by checking that commit out in a temporary worktree, adding this file's
// seedCNNModelHash (unchanged) and running it with DefaultArch() on linux/amd64.
const seedCNNGolden = "66eb4ca66447060c8d7b9aa4b57811c9297c8080e0ca2b6de2cd638b80637b14"

// TestSeedCNNUnchanged: the seed CNN built from its shipped JSON
// (DefaultArch, and nn/archs/seed-cnn.json parsed as a user's file) trains
// to bit-identical tensors to those of the code before engine v2, on the
// portable kernel set with one thread.
func TestSeedCNNUnchanged(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		// The portable kernels are plain Go, but the compiler fuses
		// multiply-adds on other architectures (arm64, ppc64, s390x),
		// which changes the rounding the golden hash records.
		t.Skipf("the golden hash is of linux/amd64 arithmetic; this is %s", runtime.GOARCH)
	}
	data, err := os.ReadFile("archs/seed-cnn.json")
	if err != nil {
		t.Fatal(err)
	}
	fromFile, err := ParseArch(data)
	if err != nil {
		t.Fatal(err)
	}
	for name, a := range map[string]Arch{"DefaultArch": DefaultArch(), "archs/seed-cnn.json": fromFile} {
		if got := seedCNNModelHash(t, a); got != seedCNNGolden {
			t.Errorf("%s: tensors after 3 steps hash to %s, want %s (the model before engine v2)", name, got, seedCNNGolden)
		}
	}
}
