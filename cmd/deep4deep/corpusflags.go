package main

import (
	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/internal/cli"
)

// corpusFlags are the flags that name a corpus in any format: --corpus ROOT
// (format detected from the layout, or --format), or a single --protocol
// FILE (a list, or a protocol of any format) with --audio-root DIR.
type corpusFlags struct {
	root, format, protocol, audioRoot *string
}

func addCorpusFlags(fs *cli.FlagSet, single bool) *corpusFlags {
	f := &corpusFlags{
		root:   fs.String("corpus", "", "corpus root: ASVspoof 2017/2019/2021 layout or a folder of train.list/dev.list/eval.list (format detected)"),
		format: fs.String("format", "", "corpus format: asvspoof2017, asvspoof2019, asvspoof2021 or list (default: detected from the layout)"),
	}
	if single {
		f.protocol = fs.String("protocol", "", "one protocol or list `file` (\"PATH LABEL [key=value ...]\") instead of the corpus root's")
		f.audioRoot = fs.String("audio-root", "", "list format: folder the PATH column is relative to (default: the corpus root, or the list's folder)")
	} else {
		f.audioRoot = fs.String("audio-root", "", "list format: folder the PATH column is relative to (default: the corpus root)")
	}
	return f
}

// corpus returns the corpus the flags name, its format resolved; a missing
// --corpus (and --protocol) or a bad --format is a usage error.
func (f *corpusFlags) corpus(cmd string) (corpus.Corpus, error) {
	format, err := corpus.ParseFormat(*f.format)
	if err != nil {
		return corpus.Corpus{}, cli.Usagef("%s: --format: %v", cmd, err)
	}
	c := corpus.Corpus{Root: *f.root, Format: format, AudioRoot: *f.audioRoot}
	if f.protocol != nil {
		c.Protocol = *f.protocol
	}
	if c.Root == "" && c.Protocol == "" {
		if f.protocol != nil {
			return c, cli.Usagef("%s: --corpus or --protocol is required (see --help)", cmd)
		}
		return c, cli.Usagef("%s: --corpus is required (see --help)", cmd)
	}
	return c.Resolve()
}
