package synth

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"sort"

	"github.com/deep4deep/deep4deep/corpus"
)

// Protocols holds the rows of the three sets.
type Protocols [3][]corpus.Trial

// ReadLike reads the three protocol files of an existing protocol_V2
// folder (as in SPEC §1) so that a synthetic corpus can reproduce every row.
func ReadLike(dir string) (Protocols, error) {
	var p Protocols
	for _, s := range corpus.Sets {
		path := filepath.Join(dir, filepath.Base(corpus.ProtocolFile(s)))
		ts, err := corpus.ReadProtocol(path)
		if err != nil {
			return p, fmt.Errorf("--like: %w", err)
		}
		if len(ts) == 0 {
			return p, fmt.Errorf("--like: %s: no trials", path)
		}
		p[s] = ts
	}
	return p, nil
}

// GenerateProtocols makes protocols with the real corpus's statistics:
// the same speakers (M0001–M0042, disjoint across sets) with the same
// numbers of genuine and spoof rows each, the same replay configurations
// per set with the same counts (so eval holds configurations unseen in
// train and dev), phrases S01–S10 cycled per speaker in a seeded order.
// Train and dev list genuine rows first, grouped by speaker, then spoof
// rows; eval is shuffled, as in the real files. Files are numbered
// T_1000001.wav, D_…, E_… in row order.
func GenerateProtocols(seed uint64) Protocols {
	var p Protocols
	prefix := [...]string{"T_", "D_", "E_"}
	phraseIDs := []string{"S01", "S02", "S03", "S04", "S05", "S06", "S07", "S08", "S09", "S10"}
	for _, s := range corpus.Sets {
		r := newRand(seed, "protocol", s.String())
		var quotas []speakerQuota
		for _, q := range realSpeakers {
			if q.set == s.String() {
				quotas = append(quotas, q)
			}
		}
		// each speaker's phrases: a seeded permutation, cycled.
		nextPhrase := map[string]func() string{}
		for _, q := range quotas {
			perm := r.Perm(len(phraseIDs))
			i := 0
			nextPhrase[q.speaker] = func() string {
				ph := phraseIDs[perm[i%len(perm)]]
				i++
				return ph
			}
		}
		var rows []corpus.Trial
		for _, q := range quotas {
			for range q.genuine {
				rows = append(rows, corpus.Trial{Label: corpus.Genuine, Speaker: q.speaker,
					Phrase: nextPhrase[q.speaker](), Environment: corpus.NoCondition,
					Playback: corpus.NoCondition, Recorder: corpus.NoCondition})
			}
		}
		var spoofs []corpus.Trial
		for _, c := range realConfigs {
			if c.set == s.String() {
				for range c.n {
					spoofs = append(spoofs, corpus.Trial{Label: corpus.Spoof,
						Environment: c.env, Playback: c.playback, Recorder: c.recorder})
				}
			}
		}
		r.Shuffle(len(spoofs), func(i, j int) { spoofs[i], spoofs[j] = spoofs[j], spoofs[i] })
		k := 0
		for _, q := range quotas {
			for range q.spoofs {
				spoofs[k].Speaker = q.speaker
				spoofs[k].Phrase = nextPhrase[q.speaker]()
				k++
			}
		}
		// configurations were shuffled before the speakers were dealt, so
		// grouping by speaker keeps each speaker's configurations mixed.
		rows = append(rows, spoofs...)
		if s == corpus.Eval {
			r.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
		}
		for i := range rows {
			rows[i].File = fmt.Sprintf("%s%d.wav", prefix[s], 1000001+i)
		}
		p[s] = rows
	}
	return p
}

// stratum is the key rows are stratified by when scaling.
func stratum(t corpus.Trial) string {
	return t.Label.String() + " " + t.Environment + " " + t.Playback + " " + t.Recorder
}

// Scale keeps a stratified fraction f of each set's rows: within every
// stratum (set × class × replay configuration) it keeps max(1, round(f·n))
// rows by systematic sampling over the stratum's rows ordered by speaker,
// phrase and file (so speakers and phrases keep their proportions), with a
// seeded start. Every configuration and both classes therefore stay
// represented at any scale; very small scales over-represent rare
// configurations. Kept rows keep their file names and their order, so a
// scaled corpus's files are a subset of the full corpus's, byte for byte.
// f ≥ 1 keeps everything.
func Scale(p Protocols, f float64, seed uint64) Protocols {
	if f >= 1 {
		return p
	}
	var out Protocols
	for _, s := range corpus.Sets {
		groups := map[string][]int{}
		var keys []string
		for i, t := range p[s] {
			k := stratum(t)
			if _, ok := groups[k]; !ok {
				keys = append(keys, k)
			}
			groups[k] = append(groups[k], i)
		}
		sort.Strings(keys)
		keep := make([]bool, len(p[s]))
		for _, k := range keys {
			idx := groups[k]
			sort.SliceStable(idx, func(a, b int) bool {
				ta, tb := p[s][idx[a]], p[s][idx[b]]
				if ta.Speaker != tb.Speaker {
					return ta.Speaker < tb.Speaker
				}
				if ta.Phrase != tb.Phrase {
					return ta.Phrase < tb.Phrase
				}
				return ta.File < tb.File
			})
			n := len(idx)
			m := max(1, int(math.Round(f*float64(n))))
			step := float64(n) / float64(m)
			off := newRand(seed, "scale", s.String(), k).Float64() * step
			for j := range m {
				keep[idx[min(int(off+float64(j)*step), n-1)]] = true
			}
		}
		for i, t := range p[s] {
			if keep[i] {
				out[s] = append(out[s], t)
			}
		}
	}
	return out
}

// counts returns (genuine, spoof) row counts.
func counts(ts []corpus.Trial) (g, s int) {
	for _, t := range ts {
		if t.Label == corpus.Genuine {
			g++
		} else {
			s++
		}
	}
	return
}

// configs returns the sorted distinct replay configurations of ts.
func configs(ts []corpus.Trial) []string {
	var out []string
	for _, t := range ts {
		if t.Label == corpus.Spoof {
			out = append(out, t.Environment+"-"+t.Playback+"-"+t.Recorder)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
