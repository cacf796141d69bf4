package corpus

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFingerprint: the hash is stable for the same data, ignores the root,
// and changes with an audio file's size or the protocol's bytes; a missing
// file is an error naming it.
func TestFingerprint(t *testing.T) {
	write := func(root string, sizes []int, phrase string) (Corpus, map[Set][]Trial) {
		c := Corpus{Root: root}
		var trials []Trial
		os.MkdirAll(filepath.Join(root, SetDir(Dev)), 0o755)
		for i, n := range sizes {
			tr := Trial{File: []string{"D_1.wav", "D_2.wav"}[i], Label: Label(i % 2), Speaker: "M1", Phrase: phrase, Environment: "-", Playback: "-", Recorder: "-"}
			if tr.Label == Spoof {
				tr.Environment, tr.Playback, tr.Recorder = "E1", "P1", "R1"
			}
			trials = append(trials, tr)
			if err := os.WriteFile(c.AudioPath(Dev, tr), make([]byte, n), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := WriteProtocol(c.ProtocolPath(Dev), trials); err != nil {
			t.Fatal(err)
		}
		return c, map[Set][]Trial{Dev: trials}
	}
	fp := func(c Corpus, ts map[Set][]Trial) string {
		f, err := c.Fingerprint(ts)
		if err != nil {
			t.Fatal(err)
		}
		if f.Trials["dev"] != len(ts[Dev]) {
			t.Errorf("trials %v, want dev: %d", f.Trials, len(ts[Dev]))
		}
		return f.SHA256
	}
	base := fp(write(t.TempDir(), []int{10, 20}, "S01"))
	if again := fp(write(t.TempDir(), []int{10, 20}, "S01")); again != base {
		t.Error("same data under another root: fingerprint differs")
	}
	if other := fp(write(t.TempDir(), []int{10, 21}, "S01")); other == base {
		t.Error("an audio file's size changed: fingerprint did not")
	}
	if other := fp(write(t.TempDir(), []int{10, 20}, "S02")); other == base {
		t.Error("the protocol changed: fingerprint did not")
	}
	c, ts := write(t.TempDir(), []int{10, 20}, "S01")
	gone := c.AudioPath(Dev, ts[Dev][1])
	os.Remove(gone)
	if _, err := c.Fingerprint(ts); err == nil || strings.Count(err.Error(), gone) != 1 {
		t.Errorf("missing file: err = %v, want one naming %s once", err, gone)
	}
}
