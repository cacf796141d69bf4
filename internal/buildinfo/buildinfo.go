// Package buildinfo reports what a deep4deep binary was built from: the
// release version, the module version, the VCS commit and the Go version,
// read from the build information the Go toolchain embeds
// (runtime/debug.ReadBuildInfo).
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Version is the release of deep4deep (see CHANGELOG.md).
const Version = "0.1.0"

// Info is what a binary was built from. Fields the build did not record
// (a build with -buildvcs=false, a test binary) are empty.
type Info struct {
	Version  string // the release, Version
	Module   string // the main module's path
	ModVer   string // its version: "(devel)" for a build from a checkout, vX.Y.Z from go install
	Commit   string // vcs.revision
	Time     string // vcs.time (RFC 3339)
	Modified bool   // vcs.modified: the checkout had uncommitted changes
	Go       string // runtime.Version()
	Platform string // GOOS/GOARCH
}

// Read returns the build information of the running binary.
func Read() Info {
	in := Info{Version: Version, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return in
	}
	in.Module, in.ModVer = bi.Main.Path, bi.Main.Version
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			in.Commit = s.Value
		case "vcs.time":
			in.Time = s.Value
		case "vcs.modified":
			in.Modified = s.Value == "true"
		}
	}
	return in
}

// Short is the release plus the first 12 digits of the commit, as model
// files record it: "0.1.0" or "0.1.0+0123456789ab".
func (in Info) Short() string {
	if len(in.Commit) >= 12 {
		return in.Version + "+" + in.Commit[:12]
	}
	return in.Version
}

// String is the multi-line report of `deep4deep version`.
func (in Info) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "deep4deep %s\n", in.Version)
	mod := in.Module
	if mod == "" {
		mod = "unknown"
	}
	if in.ModVer != "" {
		mod += " " + in.ModVer
	}
	fmt.Fprintf(&b, "module    %s\n", mod)
	switch {
	case in.Commit == "":
		b.WriteString("commit    unknown (built without VCS information)\n")
	default:
		c := in.Commit
		if in.Time != "" {
			c += " (" + in.Time + ")"
		}
		if in.Modified {
			c += ", with uncommitted changes"
		}
		fmt.Fprintf(&b, "commit    %s\n", c)
	}
	fmt.Fprintf(&b, "go        %s %s\n", in.Go, in.Platform)
	return b.String()
}
