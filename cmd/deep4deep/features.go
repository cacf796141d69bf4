package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"

	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/features"
	"github.com/deep4deep/deep4deep/internal/cli"
)

func init() {
	register(&cli.Command{Name: "features", Summary: "extract features of one corpus set, one file per utterance",
		Run: runFeatures})
}

func runFeatures(ctx context.Context, env *cli.Env, args []string) error {
	fs := cli.NewFlagSet(env, "features",
		"deep4deep features --corpus ROOT|--protocol FILE --set train|dev|eval --out DIR [--kind fbank|mfcc|lfcc|cqcc|spec] [--file-format npy|cmp] [--shard I/N] [--workers N]")
	cf := addCorpusFlags(fs, true)
	shardFlag := fs.String("shard", "", "extract only shard `I/N` of the set (0 <= I < N; a stable split by file ID)")
	setName := fs.String("set", "", "corpus set: train, dev or eval")
	out := fs.String("out", "", "output directory: one <ID>.npy (or .cmp) per utterance")
	kindName := fs.String("kind", string(features.Fbank), "feature kind, with its default parameters: fbank, mfcc, lfcc, cqcc or spec")
	format := fs.String("file-format", "npy", "file format: npy (NumPy float32 frames × dims) or cmp (raw float32, the seed's)")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "parallel workers")
	maxDur := maxDurationFlag(fs)
	if err := fs.Parse(args, false); err != nil {
		return err
	}
	lim, err := audioLimits("features", *maxDur)
	if err != nil {
		return err
	}
	if err := fs.Require("set", "out"); err != nil {
		return err
	}
	set, err := corpus.ParseSet(*setName)
	if err != nil {
		return cli.Usagef("features: --set: %v", err)
	}
	kind, err := features.ParseKind(*kindName)
	if err != nil {
		return cli.Usagef("features: --kind: %v", err)
	}
	// Before the corpus formats, --format chose the file format; npy and
	// cmp still do.
	if v := *cf.format; v == "npy" || v == "cmp" {
		*format, *cf.format = v, ""
	}
	write := features.WriteNpyFile
	switch *format {
	case "npy":
	case "cmp":
		write = features.WriteCmpFile
	default:
		return cli.Usagef("features: --file-format %q (want npy or cmp)", *format)
	}
	if *workers < 1 {
		return cli.Usagef("features: --workers %d (want at least 1)", *workers)
	}

	shard, err := corpus.ParseShard(*shardFlag)
	if err != nil {
		return cli.Usagef("features: --shard: %v", err)
	}
	c, err := cf.corpus("features")
	if err != nil {
		return err
	}
	trials, err := c.ShardTrials(set, shard)
	if err != nil {
		return err
	}
	cfg := features.DefaultConfig(kind)
	if _, err := features.New(cfg); err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	paths := make([]string, len(trials))
	for i, t := range trials {
		paths[i] = c.AudioPath(set, t)
	}
	bars, report := newBars(env)
	defer bars.done()
	var frames atomic.Int64
	err = features.ExtractFilesLimited(ctx, cfg, lim, paths, *workers, func(i int, m *features.Matrix) error {
		frames.Add(int64(m.Rows))
		dst := filepath.Join(*out, filepath.FromSlash(trials[i].ID())+"."+*format)
		if dir := filepath.Dir(dst); dir != filepath.Clean(*out) { // list IDs may have folders
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
		}
		return write(dst, m)
	}, report.Named("features "+set.String(), "files"))
	if err != nil {
		return limitHint(err)
	}
	bars.done()
	fmt.Fprintf(env.Stdout, "%s: %d files, %d frames of %s features in %s\n",
		set, len(paths), frames.Load(), kind, *out)
	return nil
}
