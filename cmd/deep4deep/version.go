package main

import (
	"context"
	"fmt"

	"github.com/deep4deep/deep4deep/internal/buildinfo"
	"github.com/deep4deep/deep4deep/internal/cli"
)

func init() {
	register(&cli.Command{Name: "version",
		Summary: "the release, module version, VCS commit and Go version of this binary (also --version)",
		Run:     runVersion})
}

func runVersion(_ context.Context, env *cli.Env, args []string) error {
	fs := cli.NewFlagSet(env, "version", "deep4deep version")
	if err := fs.Parse(args, false); err != nil {
		return err
	}
	_, err := fmt.Fprint(env.Stdout, buildinfo.Read())
	return err
}
