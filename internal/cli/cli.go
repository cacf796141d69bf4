// Package cli is the small framework behind the deep4deep command: subcommand
// dispatch, flag sets with --help and --quiet, the exit-status convention
// (0 success, 1 failure, 2 bad usage), one-line error messages and progress
// bars that show on a terminal only.
//
// It holds no logic a library user would need; every subcommand is a thin
// adapter from flags to a package call.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// Command is one subcommand of the program.
type Command struct {
	Name    string // as typed: "features"
	Summary string // one line for the command list
	// Run parses args (everything after the subcommand name) and does the
	// work. Returning a *UsageError exits with status 2, any other error 1.
	Run func(ctx context.Context, env *Env, args []string) error
}

// Env is what a command may use of the outside world.
type Env struct {
	Stdout io.Writer
	Stderr io.Writer
	// Quiet suppresses progress bars; set by the --quiet flag that every
	// FlagSet from NewFlagSet carries.
	Quiet bool
	// Terminal reports whether Stderr is an interactive terminal; progress
	// bars are drawn only then.
	Terminal bool
}

// UsageError marks an error caused by bad command-line usage (exit status 2).
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef returns a *UsageError with a formatted message.
func Usagef(format string, args ...any) error {
	return &UsageError{fmt.Errorf(format, args...)}
}

// errHelp is returned by Parse when -h/--help was given: exit status 0.
var errHelp = errors.New("help requested")

// FlagSet wraps flag.FlagSet so that parse failures become usage errors and
// --help prints the usage and succeeds.
type FlagSet struct {
	*flag.FlagSet
	env *Env
}

// NewFlagSet returns a flag set for subcommand name. usage is the synopsis
// line(s) printed above the flag defaults, e.g.
// "deep4deep features --corpus ROOT --set train|dev|eval --out DIR [flags]".
func NewFlagSet(env *Env, name, usage string) *FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s\n\nflags:\n", usage)
		fs.PrintDefaults()
	}
	fs.BoolVar(&env.Quiet, "quiet", false, "no progress bars")
	return &FlagSet{fs, env}
}

// Parse parses args. Unknown flags, bad values and stray positional
// arguments (when positional is false) are usage errors; -h prints usage and
// returns an error that Main turns into exit status 0.
func (fs *FlagSet) Parse(args []string, positional bool) error {
	if err := fs.FlagSet.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return &UsageError{fmt.Errorf("%s: %w", fs.Name(), err)}
	}
	if !positional && fs.NArg() > 0 {
		return Usagef("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

// Require returns a usage error naming the first of the given flags whose
// value is empty.
func (fs *FlagSet) Require(names ...string) error {
	for _, n := range names {
		f := fs.Lookup(n)
		if f == nil || f.Value.String() == "" {
			return Usagef("%s: --%s is required (see --help)", fs.Name(), n)
		}
	}
	return nil
}

// Main runs the subcommand named by args[0] and returns the exit status.
func Main(program string, cmds []*Command, args []string, stdout, stderr io.Writer, terminal bool) int {
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].Name < cmds[j].Name })
	usage := func(w io.Writer) {
		fmt.Fprintf(w, "usage: %s <command> [flags]\n\ncommands:\n", program)
		for _, c := range cmds {
			fmt.Fprintf(w, "  %-9s %s\n", c.Name, c.Summary)
		}
		fmt.Fprintf(w, "\nRun '%s <command> --help' for a command's flags.\n", program)
	}
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		usage(stdout)
		return 0
	case "-version", "--version":
		// An alias of the "version" command, when the program has one.
		args = append([]string{"version"}, args[1:]...)
	}
	var cmd *Command
	for _, c := range cmds {
		if c.Name == args[0] {
			cmd = c
		}
	}
	if cmd == nil {
		fmt.Fprintf(stderr, "%s: unknown command %q\n", program, args[0])
		usage(stderr)
		return 2
	}
	env := &Env{Stdout: stdout, Stderr: stderr, Terminal: terminal}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := cmd.Run(ctx, env, args[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errHelp):
		return 0
	}
	fmt.Fprintf(stderr, "%s %s: %s\n", program, cmd.Name, oneLine(err.Error()))
	var ue *UsageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
