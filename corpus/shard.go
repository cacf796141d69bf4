package corpus

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// Shard is part I of N of a set (0 ≤ I < N): the trials whose ID hashes to
// I. The split depends on the ID alone (FNV-1a, 64 bits, modulo N), so it
// is stable across machines, runs and protocol order, every trial falls in
// exactly one shard, and the shards have about equal size. The zero Shard
// (N = 0) is the whole set.
type Shard struct{ I, N int }

// ParseShard parses "I/N" with 0 ≤ I < N (an index as Kubernetes' Indexed
// Jobs and Slurm arrays number their tasks, from 0). "" is the whole set.
func ParseShard(s string) (Shard, error) {
	if s == "" {
		return Shard{}, nil
	}
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("shard %q, want I/N with 0 <= I < N, e.g. 0/4", s)
	}
	return Shard{I: i, N: n}, nil
}

func (s Shard) String() string {
	if s.N == 0 {
		return "all"
	}
	return fmt.Sprintf("%d/%d", s.I, s.N)
}

// Has reports whether the trial with the given ID is in the shard.
func (s Shard) Has(id string) bool {
	if s.N <= 1 {
		return true
	}
	h := fnv.New64a()
	h.Write([]byte(id))
	return h.Sum64()%uint64(s.N) == uint64(s.I)
}

// Select returns the trials of the shard, in their original order.
func (s Shard) Select(trials []Trial) []Trial {
	if s.N <= 1 {
		return trials
	}
	var out []Trial
	for _, t := range trials {
		if s.Has(t.ID()) {
			out = append(out, t)
		}
	}
	return out
}
