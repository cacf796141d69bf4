package main

import (
	"runtime"
	"strings"
	"testing"

	"github.com/deep4deep/deep4deep/internal/buildinfo"
)

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		code, out, errs := run(args...)
		if code != 0 || errs != "" {
			t.Fatalf("%v: exit %d, stderr %q", args, code, errs)
		}
		for _, want := range []string{"deep4deep " + buildinfo.Version + "\n", "\ncommit ", "\ngo        " + runtime.Version() + " "} {
			if !strings.Contains(out, want) {
				t.Errorf("%v: output %q lacks %q", args, out, want)
			}
		}
	}
	if code, _, _ := run("version", "extra"); code != 2 {
		t.Errorf("version with an argument: exit %d, want 2", code)
	}
}
