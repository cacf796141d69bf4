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
// folder (as in DESIGN §1) so that a synthetic corpus can reproduce every row.
func ReadLike(dir string) (Protocols, error) {
	var p Protocols
	for _, s := range corpus.Sets {
		path := filepath.Join(dir, filepath.Base(corpus.ProtocolFile(s)))
		ts, err := corpus.ReadProtocol(path)
		if err != nil {
			return p, err
		}
		if len(ts) == 0 {
			return p, fmt.Errorf("%s: no trials", path)
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
	for _, s := range corpus.Sets {
		p[s] = generateSet(seed, s, speakerQuotas(s), configsOf(realConfigs, s))
	}
	return p
}

// MatchedProtocols makes protocols for the matched-condition check: the
// speakers and genuine rows of GenerateProtocols (speakers disjoint across
// sets), but train, dev and eval share the same replay configurations.
// Every configuration of the real corpus (of all three sets) keeps its
// real total number of rows, split equally between the three sets (the
// remainder goes to eval, then dev); each set's spoof rows are dealt to its
// speakers in proportion to their real spoof counts. A detector trained on
// train then meets no unseen configuration in eval: what it measures is
// whether every configuration carries a learnable cue.
func MatchedProtocols(seed uint64) Protocols {
	total := map[[3]string]int{}
	var order [][3]string
	for _, c := range realConfigs {
		k := [3]string{c.env, c.playback, c.recorder}
		if _, ok := total[k]; !ok {
			order = append(order, k)
		}
		total[k] += c.n
	}
	var cfgs [3][]configQuota
	for _, k := range order {
		n := total[k]
		share := [3]int{n / 3, n / 3, n / 3}
		if n%3 >= 1 {
			share[corpus.Eval]++
		}
		if n%3 == 2 {
			share[corpus.Dev]++
		}
		for _, s := range corpus.Sets {
			if share[s] > 0 {
				cfgs[s] = append(cfgs[s], configQuota{s.String(), k[0], k[1], k[2], share[s]})
			}
		}
	}
	var p Protocols
	for _, s := range corpus.Sets {
		spoofs := 0
		for _, c := range cfgs[s] {
			spoofs += c.n
		}
		p[s] = generateSet(seed, s, rescaleSpoofs(speakerQuotas(s), spoofs), cfgs[s])
	}
	return p
}

// speakerQuotas returns the real speaker quotas of set s.
func speakerQuotas(s corpus.Set) []speakerQuota {
	var out []speakerQuota
	for _, q := range realSpeakers {
		if q.set == s.String() {
			out = append(out, q)
		}
	}
	return out
}

// configsOf returns the configuration quotas of set s.
func configsOf(all []configQuota, s corpus.Set) []configQuota {
	var out []configQuota
	for _, c := range all {
		if c.set == s.String() {
			out = append(out, c)
		}
	}
	return out
}

// rescaleSpoofs returns quotas whose spoof counts sum to total, in
// proportion to the given ones (largest remainders, ties in speaker order).
func rescaleSpoofs(qs []speakerQuota, total int) []speakerQuota {
	out := append([]speakerQuota(nil), qs...)
	sum := 0
	for _, q := range qs {
		sum += q.spoofs
	}
	if sum == 0 {
		return out
	}
	type rem struct {
		i int
		r float64
	}
	var rs []rem
	left := total
	for i, q := range qs {
		exact := float64(q.spoofs) * float64(total) / float64(sum)
		out[i].spoofs = int(exact)
		left -= out[i].spoofs
		rs = append(rs, rem{i, exact - math.Floor(exact)})
	}
	sort.SliceStable(rs, func(a, b int) bool { return rs[a].r > rs[b].r })
	for j := 0; j < left; j++ {
		out[rs[j%len(rs)].i].spoofs++
	}
	return out
}

// generateSet makes the rows of set s from its speaker and configuration
// quotas (see GenerateProtocols). The spoof quotas of the speakers must sum
// to those of the configurations.
func generateSet(seed uint64, s corpus.Set, quotas []speakerQuota, cfgs []configQuota) []corpus.Trial {
	prefix := [...]string{"T_", "D_", "E_"}
	phraseIDs := []string{"S01", "S02", "S03", "S04", "S05", "S06", "S07", "S08", "S09", "S10"}
	r := newRand(seed, "protocol", s.String())
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
	for _, c := range cfgs {
		for range c.n {
			spoofs = append(spoofs, corpus.Trial{Label: corpus.Spoof,
				Environment: c.env, Playback: c.playback, Recorder: c.recorder})
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
	return rows
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
