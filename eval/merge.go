package eval

import (
	"fmt"
	"slices"

	"github.com/deep4deep/deep4deep/corpus"
)

// ShardScores is one shard's score file, named for error messages.
type ShardScores struct {
	Name   string
	Scores map[string]float64
}

// MergeShards joins the score files of the shards of one set and checks
// that every protocol trial is scored exactly once: an ID in two shards, a
// protocol trial in none and a score for an ID outside the protocol are
// errors naming the files. The result is in protocol order, so a merged
// file is byte-identical to the score file of an unsharded run.
func MergeShards(trials []corpus.Trial, shards []ShardScores) (ids []string, scores []float64, err error) {
	owner := make(map[string]int)
	for k, sh := range shards {
		keys := make([]string, 0, len(sh.Scores))
		for id := range sh.Scores {
			keys = append(keys, id)
		}
		slices.Sort(keys) // deterministic messages
		for _, id := range keys {
			if prev, dup := owner[id]; dup {
				return nil, nil, fmt.Errorf("trial %s is scored in both %s and %s", id, shards[prev].Name, sh.Name)
			}
			owner[id] = k
		}
	}
	ids, scores = make([]string, 0, len(trials)), make([]float64, 0, len(trials))
	missing, first := 0, ""
	for _, t := range trials {
		id := NormalizeID(t.ID())
		k, ok := owner[id]
		if !ok {
			if missing == 0 {
				first = id
			}
			missing++
			continue
		}
		ids = append(ids, id)
		scores = append(scores, shards[k].Scores[id])
		delete(owner, id)
	}
	if missing > 0 {
		return nil, nil, fmt.Errorf("%d of %d protocol trials are in no shard (first: %s); a shard is missing or incomplete", missing, len(trials), first)
	}
	if len(owner) > 0 {
		extra := make([]string, 0, len(owner))
		for id := range owner {
			extra = append(extra, id)
		}
		slices.Sort(extra)
		return nil, nil, fmt.Errorf("%s: %d scores for IDs not in the protocol (first: %s)", shards[owner[extra[0]]].Name, len(extra), extra[0])
	}
	return ids, scores, nil
}
