package cli

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

func testCommands() []*Command {
	return []*Command{{
		Name:    "echo",
		Summary: "print --msg",
		Run: func(ctx context.Context, env *Env, args []string) error {
			fs := NewFlagSet(env, "echo", "deep4deep echo --msg TEXT")
			msg := fs.String("msg", "", "text to print")
			fail := fs.Bool("fail", false, "return an error")
			if err := fs.Parse(args, false); err != nil {
				return err
			}
			if err := fs.Require("msg"); err != nil {
				return err
			}
			if *fail {
				return errors.New("x.wav: bad\nheader")
			}
			env.Stdout.Write([]byte(*msg + "\n"))
			return nil
		},
	}}
}

func TestMainExitStatus(t *testing.T) {
	tests := []struct {
		args       []string
		status     int
		stdout     string
		stderrPart string
	}{
		{nil, 2, "", "usage:"},
		{[]string{"--help"}, 0, "usage:", ""},
		{[]string{"nope"}, 2, "", `unknown command "nope"`},
		{[]string{"echo", "--msg", "hi"}, 0, "hi\n", ""},
		{[]string{"echo", "--help"}, 0, "", "--msg"},
		{[]string{"echo"}, 2, "", "--msg is required"},
		{[]string{"echo", "--bogus"}, 2, "", "flag provided but not defined"},
		{[]string{"echo", "--msg", "a", "stray"}, 2, "", `unexpected argument "stray"`},
		{[]string{"echo", "--msg", "a", "--fail"}, 1, "", "deep4deep echo: x.wav: bad header\n"},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		got := Main("deep4deep", testCommands(), tt.args, &out, &errb, false)
		if got != tt.status {
			t.Errorf("%v: status %d, want %d (stderr %q)", tt.args, got, tt.status, errb.String())
		}
		if tt.stdout != "" && !strings.Contains(out.String(), tt.stdout) {
			t.Errorf("%v: stdout %q, want it to contain %q", tt.args, out.String(), tt.stdout)
		}
		if tt.stderrPart != "" && !strings.Contains(errb.String(), tt.stderrPart) {
			t.Errorf("%v: stderr %q, want it to contain %q", tt.args, errb.String(), tt.stderrPart)
		}
	}
}

func TestProgressNilWhenQuietOrPiped(t *testing.T) {
	var buf bytes.Buffer
	for _, env := range []*Env{
		{Stderr: &buf, Terminal: false},
		{Stderr: &buf, Terminal: true, Quiet: true},
	} {
		p := env.Progress(10, "x", "files")
		if p != nil {
			t.Errorf("env %+v: progress shown", env)
		}
		p.Add(1) // nil-safe
		p.Done()
	}
	if buf.Len() != 0 {
		t.Errorf("wrote %q", buf.String())
	}
	if (&Env{Stderr: &buf, Terminal: true}).Progress(10, "x", "files") == nil {
		t.Error("no progress bar on a terminal")
	}
}
