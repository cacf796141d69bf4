package corpus

import (
	"fmt"
	"testing"
)

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Shard
		ok   bool
	}{
		{"", Shard{}, true}, {"0/1", Shard{0, 1}, true}, {"3/4", Shard{3, 4}, true},
		{"4/4", Shard{}, false}, {"-1/4", Shard{}, false}, {"1/0", Shard{}, false},
		{"1", Shard{}, false}, {"a/b", Shard{}, false}, {"1/2/3", Shard{}, false},
	} {
		got, err := ParseShard(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseShard(%q) = %v, %v", tc.in, got, err)
		}
	}
}

// TestShardPartition checks that the shards of a set partition it (every
// trial in exactly one shard), keep protocol order, and are balanced.
func TestShardPartition(t *testing.T) {
	var trials []Trial
	for i := range 10000 {
		trials = append(trials, Trial{File: fmt.Sprintf("DF_E_%07d.flac", 2000000+i)})
	}
	for _, n := range []int{1, 2, 7, 64} {
		count := map[string]int{}
		for i := range n {
			part := Shard{i, n}.Select(trials)
			if m := len(trials) / n; n > 1 && (len(part) < m*8/10 || len(part) > m*12/10) {
				t.Errorf("shard %d/%d has %d of %d trials", i, n, len(part), len(trials))
			}
			for k, tr := range part {
				count[tr.ID()]++
				if k > 0 && part[k-1].File >= tr.File {
					t.Fatalf("shard %d/%d out of order", i, n)
				}
			}
		}
		for _, tr := range trials {
			if count[tr.ID()] != 1 {
				t.Fatalf("n=%d: trial %s in %d shards", n, tr.ID(), count[tr.ID()])
			}
		}
	}
	if !(Shard{0, 1}).Has("x") || len((Shard{}).Select(trials)) != len(trials) {
		t.Error("whole-set shard drops trials")
	}
}

// TestShardStable pins the split to the published FNV-1a algorithm
// (offset basis 14695981039346656037, prime 1099511628211, 64 bits), so a
// shard means the same files on every machine and in every release.
func TestShardStable(t *testing.T) {
	fnv1a := func(s string) uint64 {
		h := uint64(14695981039346656037)
		for i := 0; i < len(s); i++ {
			h ^= uint64(s[i])
			h *= 1099511628211
		}
		return h
	}
	for _, id := range []string{"LA_E_2834763", "PA_T_0000001", "DF_E_2000011", "alice/take1", ""} {
		for _, n := range []int{2, 3, 16} {
			want := int(fnv1a(id) % uint64(n))
			for i := range n {
				if got := (Shard{i, n}).Has(id); got != (i == want) {
					t.Errorf("Shard{%d, %d}.Has(%q) = %v, want shard %d", i, n, id, got, want)
				}
			}
		}
	}
}

// TestShardTrials: a shard checks only its own audio files.
func TestShardTrials(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{}
	var list string
	for i := range 20 {
		p := fmt.Sprintf("a/%02d.wav", i)
		list += p + " spoof\n"
		if (Shard{0, 2}).Has(fmt.Sprintf("a/%02d", i)) {
			files[p] = "x"
		}
	}
	files["eval.list"] = list
	touch(t, root, files)
	c := Corpus{Root: root}
	got, err := c.ShardTrials(Eval, Shard{0, 2})
	if err != nil || len(got) != len(files)-1 {
		t.Fatalf("shard 0/2: %d trials, %v; want %d", len(got), err, len(files)-1)
	}
	if _, err := c.ShardTrials(Eval, Shard{1, 2}); err == nil {
		t.Error("shard 1/2 with its files missing accepted")
	}
	if _, err := c.Trials(Eval); err == nil {
		t.Error("whole set with files missing accepted")
	}
}
