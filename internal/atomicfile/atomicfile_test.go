package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteFileReplaces(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.txt")
	for _, s := range []string{"first", "second, longer"} {
		if err := WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(p)
		if err != nil || string(got) != s {
			t.Fatalf("got %q, %v; want %q", got, err, s)
		}
	}
}

func TestWriteFailureKeepsOld(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.txt")
	if err := WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := Write(p, 0o644, func(w io.Writer) error {
		w.Write([]byte("partial"))
		return boom
	})
	if !errors.Is(err, boom) || err.Error() != p+": boom" {
		t.Fatalf("err = %v, want %q wrapping boom", err, p+": boom")
	}
	got, _ := os.ReadFile(p)
	if string(got) != "old" {
		t.Fatalf("destination changed to %q", got)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Fatalf("temporary file left behind: %v", ents)
	}
}

// TestErrorsNamePathOnce: whatever fails — the folder, fill — the error
// names the destination exactly once.
func TestErrorsNamePathOnce(t *testing.T) {
	dir := t.TempDir()
	for name, tc := range map[string]struct {
		path string
		fill func(io.Writer) error
	}{
		"missing folder": {filepath.Join(dir, "no", "x.txt"), func(io.Writer) error { return nil }},
		"fill fails":     {filepath.Join(dir, "y.txt"), func(io.Writer) error { return errors.New("bad row 3") }},
	} {
		err := Write(tc.path, 0o644, tc.fill)
		if err == nil {
			t.Fatalf("%s: no error", name)
		}
		if n := strings.Count(err.Error(), tc.path); n != 1 || !strings.HasPrefix(err.Error(), tc.path+": ") {
			t.Errorf("%s: %q names the path %d times, want once, first", name, err, n)
		}
	}
}
