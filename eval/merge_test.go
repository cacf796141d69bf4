package eval

import (
	"slices"
	"strings"
	"testing"

	"github.com/deep4deep/deep4deep/corpus"
)

func TestMergeShards(t *testing.T) {
	trials := []corpus.Trial{{File: "c.flac"}, {File: "a.flac"}, {File: "b.flac"}}
	a := ShardScores{"s0", map[string]float64{"a": 1, "c": 3}}
	b := ShardScores{"s1", map[string]float64{"b": 2}}
	ids, scores, err := MergeShards(trials, []ShardScores{a, b})
	if err != nil || !slices.Equal(ids, []string{"c", "a", "b"}) || !slices.Equal(scores, []float64{3, 1, 2}) {
		t.Fatalf("merge = %v %v %v", ids, scores, err)
	}
	for _, tc := range []struct {
		shards []ShardScores
		want   string
	}{
		{[]ShardScores{a}, "1 of 3 protocol trials are in no shard (first: b)"},
		{[]ShardScores{a, b, {"s2", map[string]float64{"a": 5}}}, "trial a is scored in both s0 and s2"},
		{[]ShardScores{a, b, {"s2", map[string]float64{"z": 5}}}, "s2: 1 scores for IDs not in the protocol (first: z)"},
	} {
		if _, _, err := MergeShards(trials, tc.shards); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("err = %v, want %q", err, tc.want)
		}
	}
}
