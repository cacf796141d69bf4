package nn

import (
	"fmt"
	"math/rand/v2"
	"os"
	"syscall"
	"testing"
	"time"
)

func cpuNow() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestZZAB(t *testing.T) {
	if os.Getenv("AB") == "" {
		t.Skip()
	}
	a := DefaultArch()
	for rep := 0; rep < 3; rep++ {
		for _, ks := range allKernels()[1:] {
			n, _ := New(a, 1)
			n.ks = ks
			n.SetThreads(1)
			opt := NewAdam(n, 1e-3)
			x, y := randInput(rand.New(rand.NewPCG(1, 1)), a, 256)
			n.TrainStep(x, y, opt)
			c0 := cpuNow()
			for i := 0; i < 4; i++ {
				n.TrainStep(x, y, opt)
			}
			tr := (cpuNow() - c0) / 4
			xi, _ := randInput(rand.New(rand.NewPCG(1, 1)), a, 1024)
			out := make([]float32, 2048)
			n.Logits(xi, 1024, out)
			c0 = cpuNow()
			for i := 0; i < 3; i++ {
				n.Logits(xi, 1024, out)
			}
			in := (cpuNow() - c0) / 3
			fmt.Printf("%s: train %.0f samples/cpu-s, infer %.0f samples/cpu-s\n", ks.name, 256/tr.Seconds(), 1024/in.Seconds())
			n.Close()
		}
	}
}
