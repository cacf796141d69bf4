package defaultmodel

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"testing"
)

// TestBuiltin: the embedded model loads, scores, and describes itself with
// the recipe and a hash of its two files.
func TestBuiltin(t *testing.T) {
	m, info, err := Open("")
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := files.ReadFile("model/config.json")
	w, _ := files.ReadFile("model/model.safetensors")
	h := sha256.New()
	h.Write(cfg)
	h.Write(w)
	if cal, err := files.ReadFile("model/calibration.json"); err == nil {
		h.Write(cal)
		if info.Calibration == nil || !info.Calibrated {
			t.Error("calibration.json present but not loaded")
		}
	}
	if want := hex.EncodeToString(h.Sum(nil)); info.Hash != want {
		t.Errorf("hash %s, want %s", info.Hash, want)
	}
	if info.Name != Name || info.Source != "built-in" || info.Kind != "cnn" || info.Recipe == nil ||
		info.Recipe.Seed != 1 || info.Recipe.CorpusRecipeVersion == "" || info.Params != 863358 {
		t.Errorf("info %+v", info)
	}
	if len(w) > 8<<20 {
		t.Errorf("built-in model is %d bytes: more than a few MB", len(w))
	}
	sc, err := m.NewScorer(1)
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	if _, err := sc.ScoreFile("../serve/testdata/genuine.wav"); err != nil {
		t.Error(err)
	}
}

func TestOpenDir(t *testing.T) {
	_, info, err := Open("../model/testdata/cnn")
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != "cnn" || info.Source != "../model/testdata/cnn" || info.Recipe != nil || len(info.Hash) != 64 {
		t.Errorf("info %+v", info)
	}
	if _, _, err := Open(t.TempDir()); err == nil {
		t.Error("empty directory opened")
	}
	if _, err := os.Stat("model/recipe.json"); err != nil {
		t.Error(err)
	}
}
