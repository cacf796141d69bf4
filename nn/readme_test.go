package nn

import (
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

// TestREADMEArchExample parses the architecture example of the README
// (the JSON block after <!-- arch-example -->), checks the tensor names and
// shapes the README lists for it, and trains it for one step.
func TestREADMEArchExample(t *testing.T) {
	doc, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "<!-- arch-example -->\n```json\n")
	if !ok {
		t.Fatal("README: no arch-example JSON block")
	}
	js, _, ok := strings.Cut(rest, "```")
	if !ok {
		t.Fatal("README: arch-example block not closed")
	}
	a, err := ParseArch([]byte(js))
	if err != nil {
		t.Fatalf("README example: %v", err)
	}
	n, err := New(a, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	want := map[string][]int{
		"conv1.weight": {32, 1, 5, 5}, "conv1.bias": {32},
		"conv2.weight": {48, 16, 3, 3}, "conv2.bias": {48},
		"bn2.running_mean": {24}, "bn2.running_var": {24},
		"out.weight": {2, 720}, "out.bias": {2},
	}
	ts := n.Tensors()
	if len(ts) != len(want) {
		t.Errorf("%d tensors, README lists %d", len(ts), len(want))
	}
	for name, shape := range want {
		if tr, ok := ts[name]; !ok || !equalShape(tr.Shape, shape) {
			t.Errorf("tensor %s: %v (present %v), README says %v", name, tr.Shape, ok, shape)
		}
	}
	x, y := randUtterances(rand.New(rand.NewPCG(1, 2)), a, 2, 50)
	if _, _, err := n.TrainStep(x, y, NewAdam(n, 1e-3)); err != nil {
		t.Fatal(err)
	}
}
