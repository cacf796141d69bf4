// Package corpus reads the protocols and knows the layouts of the corpora
// deep4deep works on, behind one type, Corpus, whose Format is
// asvspoof2017, asvspoof2019 (LA, PA), asvspoof2021 (LA, PA, DF, eval
// only) or list (a user's own "PATH LABEL [key=value ...]" files), or is
// detected from the layout. Labels are unified (bonafide = genuine) and the
// condition columns become breakdown keys (Trial.Conditions).
//
// The ASVspoof 2017 V2 layout (DESIGN §1), which it also writes:
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
// (DESIGN §4.1: class 0 = spoof, class 1 = genuine).
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

// Trial is one protocol row. The 2017 columns have their own fields; the
// condition columns of the other formats (ASVspoof 2019 environment and
// attack, 2021 codec and transmission, a list's key=value pairs) are in
// Conditions, which eval reports as breakdown keys.
type Trial struct {
	// File is the audio file relative to the set's audio folder: the first
	// column as written for 2017 ("T_1000001.wav"), the file ID plus
	// ".flac" for 2019 and 2021, the PATH column of a list.
	File        string
	Label       Label
	Speaker     string // M0001…, LA_0079…; "" in a list
	Phrase      string // S01…S10 (2017 only)
	Environment string // E01…, "-" for genuine (2017 only)
	Playback    string // P01…, "-" for genuine (2017 only)
	Recorder    string // R01…, "-" for genuine (2017 only)
	// Conditions holds the other formats' condition columns as
	// space-separated name=value pairs, in column order (see
	// ConditionKeys). A string keeps Trial comparable and small.
	Conditions string
}

// ID is the trial's identifier in score files: File without a ".wav" or
// ".flac" suffix.
func (t Trial) ID() string {
	if s, ok := strings.CutSuffix(t.File, ".wav"); ok {
		return s
	}
	return strings.TrimSuffix(t.File, ".flac")
}

// Layout of the corpus directory (DESIGN §1).
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
