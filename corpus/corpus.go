// Package corpus reads and writes ASVspoof 2017 V2 protocol files and knows
// the corpus layout (SPEC §1):
//
//	ROOT/ASVspoof2017_V2_{train,dev,eval}/<file>.wav
//	ROOT/protocol_V2/ASVspoof2017_V2_train.trn.txt, ..._dev.trl.txt, ..._eval.trl.txt
//
// A protocol line has 7 space-separated columns: file, genuine|spoof,
// speaker, phrase, environment, playback device, recording device; the last
// three are "-" for genuine trials.
package corpus

import (
	"fmt"
	"strings"
)

// Set is one of the three partitions of the corpus.
type Set int

// The partitions, in corpus order.
const (
	Train Set = iota
	Dev
	Eval
)

// Sets lists every Set in corpus order.
var Sets = [...]Set{Train, Dev, Eval}

func (s Set) String() string {
	switch s {
	case Train:
		return "train"
	case Dev:
		return "dev"
	case Eval:
		return "eval"
	}
	return fmt.Sprintf("Set(%d)", int(s))
}

// ParseSet parses "train", "dev" or "eval".
func ParseSet(s string) (Set, error) {
	for _, set := range Sets {
		if set.String() == s {
			return set, nil
		}
	}
	return 0, fmt.Errorf("unknown set %q (want train, dev or eval)", s)
}

// Label is the class of a trial. The values are the CNN's class indices
// (SPEC §4.1: class 0 = spoof, class 1 = genuine).
type Label int8

// The two classes.
const (
	Spoof   Label = 0
	Genuine Label = 1
)

func (l Label) String() string {
	if l == Genuine {
		return "genuine"
	}
	return "spoof"
}

// Trial is one protocol row.
type Trial struct {
	File        string // first column as written, e.g. "T_1000001.wav"
	Label       Label
	Speaker     string // M0001…
	Phrase      string // S01…S10
	Environment string // E01…, "-" for genuine
	Playback    string // P01…, "-" for genuine
	Recorder    string // R01…, "-" for genuine
}

// ID is the trial's identifier in score files: File without a ".wav" suffix.
func (t Trial) ID() string { return strings.TrimSuffix(t.File, ".wav") }

// Layout of the corpus directory (SPEC §1).
const (
	// ProtocolDir is the folder of the protocol files under the corpus root.
	ProtocolDir = "protocol_V2"
)

// SetDir is the audio folder of set s under the corpus root, e.g.
// "ASVspoof2017_V2_train".
func SetDir(s Set) string { return "ASVspoof2017_V2_" + s.String() }

// ProtocolFile is the protocol of set s relative to the corpus root:
// "protocol_V2/ASVspoof2017_V2_train.trn.txt" for train, ".trl.txt" for dev
// and eval.
func ProtocolFile(s Set) string {
	ext := ".trl.txt"
	if s == Train {
		ext = ".trn.txt"
	}
	return ProtocolDir + "/" + SetDir(s) + ext
}
