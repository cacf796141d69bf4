// Command deep4deep detects replay attacks on speech (ASVspoof 2017 setting):
// synthetic corpora, features, the seed CNN and the CQCC-GMM baseline,
// scoring and evaluation. Each subcommand lives in its own file and only maps
// flags onto calls into the library packages.
package main

import (
	"os"

	"github.com/deep4deep/deep4deep/internal/cli"
	"golang.org/x/term"
)

// commands is filled by the init functions of the subcommand files.
var commands []*cli.Command

func register(c *cli.Command) { commands = append(commands, c) }

func main() {
	tty := term.IsTerminal(int(os.Stderr.Fd()))
	os.Exit(cli.Main("deep4deep", commands, os.Args[1:], os.Stdout, os.Stderr, tty))
}
