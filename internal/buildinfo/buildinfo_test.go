package buildinfo

import (
	"runtime"
	"strings"
	"testing"
)

func TestString(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   Info
		want []string
	}{
		{"checkout", Info{Version: "0.1.0", Module: "github.com/deep4deep/deep4deep", ModVer: "(devel)",
			Commit: "0123456789abcdef0123456789abcdef01234567", Time: "2026-12-02T06:00:00Z", Modified: true, Go: "go1.26.8", Platform: "linux/amd64"},
			[]string{"deep4deep 0.1.0\n", "module    github.com/deep4deep/deep4deep (devel)\n",
				"commit    0123456789abcdef0123456789abcdef01234567 (2026-12-02T06:00:00Z), with uncommitted changes\n",
				"go        go1.26.8 linux/amd64\n"}},
		{"no vcs", Info{Version: "0.1.0", Go: "go1.26.8", Platform: "linux/arm64"},
			[]string{"module    unknown\n", "commit    unknown (built without VCS information)\n", "go        go1.26.8 linux/arm64\n"}},
	} {
		s := tc.in.String()
		for _, w := range tc.want {
			if !strings.Contains(s, w) {
				t.Errorf("%s: %q lacks %q", tc.name, s, w)
			}
		}
	}
}

func TestShort(t *testing.T) {
	if s := (Info{Version: "0.1.0", Commit: "0123456789abcdef"}).Short(); s != "0.1.0+0123456789ab" {
		t.Errorf("Short = %q", s)
	}
	if s := (Info{Version: "0.1.0"}).Short(); s != "0.1.0" {
		t.Errorf("Short without commit = %q", s)
	}
}

func TestRead(t *testing.T) {
	in := Read()
	if in.Version != Version || in.Go != runtime.Version() || in.Platform != runtime.GOOS+"/"+runtime.GOARCH {
		t.Errorf("Read() = %+v", in)
	}
}
