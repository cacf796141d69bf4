package testshared

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLookup(t *testing.T) {
	if _, err := Lookup("no/such/file-anywhere"); err == nil || !strings.Contains(err.Error(), filepath.FromSlash("shared/no/such/file-anywhere")) {
		t.Errorf("missing file: err = %v, want one naming shared/no/such/file-anywhere", err)
	}
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "internal", "testshared", "testshared.go")); err != nil {
		t.Errorf("repoRoot() = %s, not the repository root: %v", root, err)
	}
}

// TestPathShared uses the helper the way every other test does; under CI
// (DEEP4DEEP_REQUIRE_SHARED=1) it fails when ../shared is missing.
func TestPathShared(t *testing.T) {
	p := Path(t, "asvspoof2017/protocol_V2")
	if fi, err := os.Stat(p); err != nil || !fi.IsDir() {
		t.Errorf("Path = %s: %v", p, err)
	}
}
