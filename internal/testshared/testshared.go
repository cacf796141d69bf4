// Package testshared finds, for tests, the read-only data that lives beside
// the repository in ../shared (the real ASVspoof protocols, the seed's
// reference files, the reference programs). It is not part of the repository:
// a test that needs it skips when it is absent, unless the environment sets
// DEEP4DEEP_REQUIRE_SHARED=1 (as .ci/run does), in which case it fails, so
// CI proves that every such test ran.
package testshared

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// RequireEnv is the environment variable that turns a missing ../shared
// from a skip into a failure.
const RequireEnv = "DEEP4DEEP_REQUIRE_SHARED"

// Path returns the path of rel (slash-separated, for example
// "asvspoof2017/protocol_V2") inside the shared folder beside the repository
// root. If it does not exist, Path skips the test, or fails it when
// DEEP4DEEP_REQUIRE_SHARED=1.
func Path(t testing.TB, rel string) string {
	t.Helper()
	p, err := Lookup(rel)
	if err != nil {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("%v (%s=1 requires it)", err, RequireEnv)
		}
		t.Skipf("%v; it lives in ../shared beside the repository (set %s=1 to fail instead)", err, RequireEnv)
	}
	return p
}

// Lookup returns the path of rel inside ../shared, or an error naming the
// path when it does not exist. It is for tests that fall back to a copy in
// testdata; they should still call Path when DEEP4DEEP_REQUIRE_SHARED=1.
func Lookup(rel string) (string, error) {
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	p := filepath.Join(filepath.Dir(root), "shared", filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("shared data not available: %w", err)
	}
	return p, nil
}

// Required reports whether DEEP4DEEP_REQUIRE_SHARED=1.
func Required() bool { return os.Getenv(RequireEnv) == "1" }

// repoRoot walks up from the working directory (a test's package folder)
// to the folder holding go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("repository root (go.mod) not found above the working directory")
		}
		dir = parent
	}
}
