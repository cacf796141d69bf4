package nn

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"math/rand/v2"
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

func TestPrintSeedCNNHash(t *testing.T) {
	t.Logf("hash %s", seedCNNModelHash(t, DefaultArch()))
}
