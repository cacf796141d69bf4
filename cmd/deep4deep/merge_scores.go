package main

import (
	"context"
	"fmt"

	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/eval"
	"github.com/deep4deep/deep4deep/internal/cli"
)

func init() {
	register(&cli.Command{Name: "merge-scores",
		Summary: "join the score files of the shards of a set, checking that every trial is scored once",
		Run:     runMergeScores})
}

func runMergeScores(ctx context.Context, env *cli.Env, args []string) error {
	fs := cli.NewFlagSet(env, "merge-scores",
		"deep4deep merge-scores --corpus ROOT|--protocol FILE --set S --out SCORES SHARD_SCORES...\n\n"+
			"Joins the score files written by \"score --shard I/N\" into one, in protocol order (the file an\n"+
			"unsharded run writes). A trial scored twice, a protocol trial in no shard and an ID outside\n"+
			"the protocol are errors.")
	cf := addCorpusFlags(fs, true)
	setName := fs.String("set", "", "the set the shards scored: train, dev or eval")
	out := fs.String("out", "", "merged score file to write")
	if err := fs.Parse(args, true); err != nil {
		return err
	}
	if err := fs.Require("set", "out"); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return cli.Usagef("merge-scores: no shard score files given")
	}
	set, err := corpus.ParseSet(*setName)
	if err != nil {
		return cli.Usagef("merge-scores: --set: %v", err)
	}
	c, err := cf.corpus("merge-scores")
	if err != nil {
		return err
	}
	trials, err := c.ReadTrials(set)
	if err != nil {
		return err
	}
	shards := make([]eval.ShardScores, fs.NArg())
	for i, path := range fs.Args() {
		if err := ctx.Err(); err != nil {
			return err
		}
		s, err := eval.ReadScores(path)
		if err != nil {
			return err
		}
		shards[i] = eval.ShardScores{Name: path, Scores: s}
	}
	ids, scores, err := eval.MergeShards(trials, shards)
	if err != nil {
		return err
	}
	if err := eval.WriteScores(*out, ids, scores); err != nil {
		return err
	}
	if !env.Quiet {
		fmt.Fprintf(env.Stderr, "%d trials from %d shards merged into %s\n", len(ids), len(shards), *out)
	}
	return nil
}
