package corpus

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
)

// Fingerprint identifies the data of a corpus (DESIGN §1): a SHA-256 over
// its protocol files and the names and sizes of the audio files they list,
// so that a model (or a resumed training run) can tell whether it is
// looking at the same data.
type Fingerprint struct {
	Root   string         `json:"root"`
	SHA256 string         `json:"sha256"`
	Trials map[string]int `json:"trials"` // per set name
}

// Fingerprint computes the fingerprint of the given sets of c: SHA-256
// over, per set, the protocol file's bytes and the name and size of every
// listed audio file.
// Cheap (no audio is read), and it changes when a protocol or any file's
// length changes. The root is recorded as an absolute path for the reader's
// information only; it does not enter the hash.
func (c Corpus) Fingerprint(trials map[Set][]Trial) (*Fingerprint, error) {
	h := sha256.New()
	fp := &Fingerprint{Trials: map[string]int{}}
	if abs, err := filepath.Abs(c.Root); err == nil {
		fp.Root = abs
	} else {
		fp.Root = c.Root
	}
	for _, s := range Sets {
		ts, ok := trials[s]
		if !ok {
			continue
		}
		proto, err := os.ReadFile(c.ProtocolPath(s))
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(h, "set %s protocol %d\n", s, len(proto))
		h.Write(proto)
		for _, t := range ts {
			p := c.AudioPath(s, t)
			fi, err := os.Stat(p)
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(h, "%s %d\n", t.File, fi.Size())
		}
		fp.Trials[s.String()] = len(ts)
	}
	fp.SHA256 = hex.EncodeToString(h.Sum(nil))
	return fp, nil
}
