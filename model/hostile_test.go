package model

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadHugeArrays: a config.json whose arrays are far larger than the
// model needs (half a million normalisation means, a 4 MB file) is refused with
// a clear error, within loadBudget (a bounded multiple of its size).
func TestLoadHugeArrays(t *testing.T) {
	data, err := os.ReadFile("testdata/cnn/config.json")
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(data, &cfg); err != nil {
		t.Fatal(err)
	}
	huge := make([]float64, 500_000)
	for i := range huge {
		huge[i] = 1.5
	}
	cfg["normalization"] = map[string]any{"mean": huge, "std": huge}
	data, err = json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, ConfigFile), data, 0o644)
	weights, err := os.ReadFile("testdata/cnn/model.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, WeightsFile), weights, 0o644)
	var m *Model
	if e := loadBudget.Check(len(data), func() { m, err = Load(dir) }); e != nil {
		t.Error(e)
	}
	if m != nil || err == nil || !strings.Contains(err.Error(), "normalization has 500000 means and 500000 deviations, the features have 64 dimensions") {
		t.Errorf("err = %v", err)
	}
}
