package train

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/model"
)

// Fingerprint identifies the data of a corpus's sets: SHA-256 over, per set,
// the protocol file's bytes and the name and size of every listed audio file.
// Cheap (no audio is read), and it changes when a protocol or any file's
// length changes. The root is recorded as an absolute path for the reader's
// information only; it does not enter the hash.
func Fingerprint(c corpus.Corpus, trials map[corpus.Set][]corpus.Trial) (*model.Fingerprint, error) {
	h := sha256.New()
	fp := &model.Fingerprint{Trials: map[string]int{}}
	if abs, err := filepath.Abs(c.Root); err == nil {
		fp.Root = abs
	} else {
		fp.Root = c.Root
	}
	for _, s := range corpus.Sets {
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
