package synth

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/deep4deep/deep4deep/audio"
	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/internal/atomicfile"
	"github.com/deep4deep/deep4deep/internal/par"
)

// The ASVspoof 2019 physical-access simulation (Todisco et al. 2019; Wang
// et al. 2020, "ASVspoof 2019: a large-scale public database of
// synthesized, converted and replayed speech", section on PA): a talker
// speaks to the ASV microphone in a room; an attacker records the talker
// from some distance and replays the recording through a loudspeaker at the
// talker's place. The environment is the triplet (S, T60, Ds): room size,
// reverberation time and talker-to-ASV distance, each in three bins a, b,
// c; the attack is the pair (Da, Q): attacker-to-talker distance and replay
// device quality, each in three bins A, B, C. The bins below are the
// published ones; within a bin every file draws its own value.
var (
	paRoomSize  = map[byte][2]float64{'a': {2, 5}, 'b': {5, 10}, 'c': {10, 20}}           // floor area, m²
	paT60       = map[byte][2]float64{'a': {0.05, 0.2}, 'b': {0.2, 0.6}, 'c': {0.6, 1.0}} // s
	paTalkerASV = map[byte][2]float64{'a': {0.1, 0.5}, 'b': {0.5, 1.0}, 'c': {1.0, 1.5}}  // m
	paAttacker  = map[byte][2]float64{'A': {0.1, 0.5}, 'B': {0.5, 1.0}, 'C': {1.0, 1.5}}  // m
)

// paQuality is the replay device of one quality bin, after the published
// definitions: A "perfect" (unlimited bandwidth, no low cut, no
// non-linearity), B "high" (occupied bandwidth over 10 kHz, lowest frequency
// under 600 Hz, linear-to-non-linear power ratio over 100 dB), C "low"
// (bandwidth under 10 kHz, lowest frequency over 600 Hz, LNLR under 100 dB).
// At 16 kHz, A and B both reach the Nyquist band; B adds a low cut and mild
// resonances, C a narrow band, strong resonances and audible distortion.
// The attacker's recording device follows the same bin (a studio
// microphone, a good portable recorder, a phone).
func paQuality(r *rand.Rand, q byte) (Loudspeaker, Microphone) {
	u := func(lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }
	switch q {
	case 'A':
		return Loudspeaker{Name: "perfect replay device", Line: true, Low: 20, High: 7950},
			Microphone{Name: "perfect recorder", Line: true, Low: 20, High: 7950, HighOrder: 2, NoiseDB: -90}
	case 'B':
		return Loudspeaker{Name: "high-quality loudspeaker", Low: u(100, 550), LowOrder: 2, High: u(7600, 7900), HighOrder: 2,
				Peaks: []Peak{{u(800, 2500), u(-2, 2), 1.5}, {u(3000, 6000), u(-2, 2), 2}}, H2: u(0.0005, 0.002), H3: u(0.0005, 0.002)},
			Microphone{Name: "good recorder", Low: u(40, 100), LowOrder: 2, High: 7800, HighOrder: 4,
				Peaks: []Peak{{u(2000, 5000), u(-1.5, 1.5), 2}}, NoiseDB: -70}
	default:
		return Loudspeaker{Name: "low-quality loudspeaker", Low: u(650, 1000), LowOrder: 4, High: u(3500, 6500), HighOrder: 4,
				Peaks: []Peak{{u(900, 2000), u(3, 7), 2}, {u(2500, 4500), u(-6, 6), 3}}, H2: u(0.01, 0.04), H3: u(0.01, 0.05)},
			Microphone{Name: "phone recorder", Low: u(100, 200), LowOrder: 2, High: u(6500, 7600), HighOrder: 4,
				Peaks: []Peak{{u(2000, 3500), u(2, 5), 2}}, NoiseDB: -60, AGC: 0.7}
	}
}

// paASVMic is the ASV system's microphone, the same for both classes.
var paASVMic = Microphone{Name: "ASV microphone", Low: 50, LowOrder: 2, High: 7800, HighOrder: 4,
	Peaks: []Peak{{3000, 1.5, 2}}, NoiseDB: -66}

// paPhrases are the phrases the talkers read (the synthesiser's RedDots
// phrases; the real corpus reads VCTK sentences).
var paPhrases = [...]string{"S01", "S02", "S03", "S04", "S05", "S06", "S07", "S08", "S09", "S10"}

// PARenderer synthesises the audio of ASVspoof 2019 PA-style rows with the
// package's speech model and its exported channel models (Channel: room,
// noise, loudspeaker, microphone). Like Renderer, a row's audio depends only on the seed
// and the row; create one PARenderer per goroutine.
type PARenderer struct {
	seed uint64
	sp   speaker
	ch   Channel
}

// NewPARenderer returns a PA renderer for seed.
func NewPARenderer(seed uint64) *PARenderer { return &PARenderer{seed: seed} }

// Render returns the 16 kHz audio of PA row t (its environment and attack
// conditions as Parse2019 sets them), quantised to 16 bits.
//
// Bona fide: speech → the room (area S × height 2.4–3 m, T60) at distance Ds
// → the ASV microphone. Spoof: speech → the same room at distance Da → the
// attacker's recorder of quality Q, stored at 16 bits → the replay
// loudspeaker of quality Q → the room at distance Ds (the loudspeaker where
// the talker stood) → the ASV microphone. Both end at a random active level
// in −30…−20 dBFS, dithered.
func (g *PARenderer) Render(t corpus.Trial) ([]float32, error) {
	env, attack := t.Condition("environment"), t.Condition("attack")
	if len(env) != 3 || paRoomSize[env[0]] == [2]float64{} || paT60[env[1]] == [2]float64{} || paTalkerASV[env[2]] == [2]float64{} {
		return nil, fmt.Errorf("%s: environment %q is not a PA triplet of a/b/c", t.File, env)
	}
	if t.Label == corpus.Spoof && (len(attack) != 2 || paAttacker[attack[0]] == [2]float64{} || attack[1] < 'A' || attack[1] > 'C') {
		return nil, fmt.Errorf("%s: attack %q is not a PA pair of A/B/C", t.File, attack)
	}
	rr := newRand(g.seed, "pa-room", t.File)
	u := func(b [2]float64) float64 { return uniform(rr, b[0], b[1]) }
	room := Environment{
		Name:   "ASV room",
		RT60:   u(paT60[env[1]]),
		Dist:   u(paTalkerASV[env[2]]),
		Volume: u(paRoomSize[env[0]]) * uniform(rr, 2.4, 3.0),
		Noise:  NoiseQuiet,
		SNR:    uniform(rr, 35, 50),
	}
	phrase := paPhrases[rr.IntN(len(paPhrases))]
	rs := newRand(g.seed, "speech", t.File)
	x := g.sp.speak(rs, NewTake(rs, VoiceFor(g.seed, t.Speaker), phrase))
	rc := newRand(g.seed, "channel", t.File)
	if t.Label == corpus.Spoof {
		capture := room
		capture.Dist = u(paAttacker[attack[0]])
		ls, mic := paQuality(rr, attack[1])
		g.ch.Room(rc, x, capture)
		g.ch.Record(rc, x, mic)
		quantize(rc, x, -26)
		g.ch.Play(x, ls)
	}
	g.ch.Room(rc, x, room)
	g.ch.Record(rc, x, paASVMic)
	quantize(rc, x, uniform(rc, -30, -20))
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(v)
	}
	return out, nil
}

// PAEnvironments and PAAttacks list the 27 environment triplets and the 9
// attack pairs of ASVspoof 2019 PA.
var (
	PAEnvironments = func() (e []string) {
		for _, s := range "abc" {
			for _, r := range "abc" {
				for _, d := range "abc" {
					e = append(e, string([]rune{s, r, d}))
				}
			}
		}
		return e
	}()
	PAAttacks = []string{"AA", "AB", "AC", "BA", "BB", "BC", "CA", "CB", "CC"}
)

// paCounts are the real ASVspoof 2019 PA rows per environment: bona fide
// trials, and spoof trials per attack (train 5,400 + 48,600; dev 5,400 +
// 24,300; eval 18,090 + 116,640).
var paCounts = [3][2]int{corpus.Train: {200, 200}, corpus.Dev: {200, 100}, corpus.Eval: {670, 480}}

// GeneratePAProtocols returns rows with the structure of the real ASVspoof
// 2019 PA protocols: every environment with its bona fide trials and every
// attack in every environment, 20 talkers per set (disjoint), file IDs
// PA_T_0000001… per set. The eval set, whose protocol is not public in
// ../shared, copies the published eval counts.
func GeneratePAProtocols(seed uint64) Protocols {
	var p Protocols
	for _, s := range corpus.Sets {
		prefix := "PA_" + strings.ToUpper(s.String()[:1]) + "_"
		rows := make([]corpus.Trial, 0, len(PAEnvironments)*(paCounts[s][0]+len(PAAttacks)*paCounts[s][1]))
		add := func(label corpus.Label, env, attack string) {
			n := len(rows)
			spk := fmt.Sprintf("PA_%04d", 1+20*int(s)+n%20)
			rows = append(rows, corpus.Trial{File: fmt.Sprintf("%s%07d.flac", prefix, n+1), Label: label,
				Speaker: spk, Conditions: corpus.ConditionsPA2019(env, attack)})
		}
		for _, env := range PAEnvironments {
			for range paCounts[s][0] {
				add(corpus.Genuine, env, corpus.NoCondition)
			}
		}
		for _, env := range PAEnvironments {
			for _, a := range PAAttacks {
				for range paCounts[s][1] {
					add(corpus.Spoof, env, a)
				}
			}
		}
		p[s] = rows
	}
	return p
}

// ReadLikePA reads the ASVspoof 2019 PA CM protocols in dir (the files
// themselves or an ASVspoof2019_PA_cm_protocols folder). Sets whose protocol
// is absent come from GeneratePAProtocols (the public files hold train and
// dev only). It fails on LA protocols and when no set is found.
func ReadLikePA(dir string, seed uint64) (Protocols, error) {
	c, err := corpus.Corpus{Root: dir, Format: corpus.ASVspoof2019}.Resolve()
	if err != nil {
		return Protocols{}, err
	}
	gen := GeneratePAProtocols(seed)
	var p Protocols
	found := 0
	for _, s := range corpus.Sets {
		path := c.ProtocolPath(s)
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			p[s] = gen[s]
			continue
		}
		ts, err := corpus.ReadProtocolFormat(path, corpus.ASVspoof2019)
		if err != nil {
			return Protocols{}, err
		}
		for _, t := range ts {
			if t.Condition("environment") == "" {
				return Protocols{}, fmt.Errorf("%s: trial %s has no PA environment (an LA protocol?)", path, t.ID())
			}
		}
		p[s] = ts
		found++
	}
	if found == 0 {
		return Protocols{}, fmt.Errorf("%s: no ASVspoof 2019 PA protocol found", dir)
	}
	return p, nil
}

// ScalePA keeps a stratified fraction f of the rows of each set: within
// every class × attack stratum ("-" for bona fide), rows sorted by
// environment, talker and file are sampled at even steps from a seeded
// offset, so environments stay spread and every attack survives in every
// set. Order is kept.
func ScalePA(p Protocols, f float64, seed uint64) Protocols {
	if f >= 1 {
		return p
	}
	var out Protocols
	for _, s := range corpus.Sets {
		groups := map[string][]int{}
		for i, t := range p[s] {
			k := t.Label.String() + "/" + t.Condition("attack")
			groups[k] = append(groups[k], i)
		}
		keys := make([]string, 0, len(groups))
		for k := range groups {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		keep := make([]bool, len(p[s]))
		env := make([]string, len(p[s]))
		for i, t := range p[s] {
			env[i] = t.Condition("environment")
		}
		for _, k := range keys {
			idx := groups[k]
			sort.SliceStable(idx, func(a, b int) bool {
				ta, tb := p[s][idx[a]], p[s][idx[b]]
				if ea, eb := env[idx[a]], env[idx[b]]; ea != eb {
					return ea < eb
				}
				if ta.Speaker != tb.Speaker {
					return ta.Speaker < tb.Speaker
				}
				return ta.File < tb.File
			})
			n := len(idx)
			m := max(1, int(math.Round(f*float64(n))))
			step := float64(n) / float64(m)
			off := newRand(seed, "scale-pa", s.String(), k).Float64() * step
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

// PlanPA returns the rows GeneratePA would write for opts (Like: a 2019 PA
// protocol folder; Scale and EvalScale as for Plan; Matched and Sources are
// not supported). Its errors are *FieldError.
func PlanPA(opts Options) (Protocols, error) {
	var p Protocols
	if err := opts.Validate(); err != nil {
		return p, err
	}
	switch {
	case opts.Matched:
		return p, fieldErrorf("Matched", "not supported for the ASVspoof 2019 PA layout")
	case opts.Sources != "":
		return p, fieldErrorf("Sources", "real speech sources are not supported for the ASVspoof 2019 PA layout")
	case opts.Like != "":
		var err error
		if p, err = ReadLikePA(opts.Like, opts.Seed); err != nil {
			return p, &FieldError{Field: "Like", Err: err}
		}
	default:
		p = GeneratePAProtocols(opts.Seed)
	}
	scale := opts.Scale
	if scale == 0 {
		scale = 1
	}
	out := ScalePA(p, scale, opts.Seed)
	if opts.EvalScale > 0 && opts.EvalScale != scale {
		out[corpus.Eval] = ScalePA(p, opts.EvalScale, opts.Seed)[corpus.Eval]
	}
	return out, nil
}

// GeneratePA writes an ASVspoof 2019 PA-style corpus under opts.Out in the
// released layout: ASVspoof2019_PA_{train,dev,eval}/flac/*.flac (16 kHz,
// 16-bit), then ASVspoof2019_PA_cm_protocols/ASVspoof2019.PA.cm.*.txt, then
// README. Same seed and rows give the same bytes whatever the number of
// workers. It refuses an existing non-empty Out unless opts.Force.
func GeneratePA(ctx context.Context, opts Options) error {
	if err := opts.checkOut(); err != nil {
		return err
	}
	p, err := PlanPA(opts)
	if err != nil {
		return err
	}
	type job struct {
		path string
		t    corpus.Trial
	}
	var jobs []job
	for _, s := range corpus.Sets {
		dir := filepath.Join(opts.Out, corpus.SetDir2019("PA", s), "flac")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		for _, t := range p[s] {
			jobs = append(jobs, job{filepath.Join(dir, t.ID()+".flac"), t})
		}
	}
	// One renderer per worker (the project's worker pool); every file's
	// randomness comes from the seed and the row.
	err = par.Do(ctx, len(jobs), opts.Workers,
		func() (*PARenderer, error) { return NewPARenderer(opts.Seed), nil }, nil,
		func(_ context.Context, g *PARenderer, i int) error {
			x, err := g.Render(jobs[i].t)
			if err != nil {
				return err
			}
			return audio.WriteFLAC16(jobs[i].path, x, Rate)
		}, opts.Progress.Named("", "files"))
	if err != nil {
		return err
	}
	for _, s := range corpus.Sets {
		path := filepath.Join(opts.Out, filepath.FromSlash(corpus.ProtocolFile2019("PA", s)))
		if err := corpus.WriteProtocol2019(path, p[s]); err != nil {
			return err
		}
	}
	return atomicfile.WriteFile(filepath.Join(opts.Out, "README"), []byte(readmePA(opts, p)), 0o644)
}

func readmePA(opts Options, p Protocols) string {
	var b strings.Builder
	scale := opts.Scale
	if scale == 0 {
		scale = 1
	}
	fmt.Fprintf(&b, "Synthetic replay corpus in the layout of ASVspoof 2019 PA, made by\n")
	fmt.Fprintf(&b, "deep4deep synth --layout asvspoof2019-pa (github.com/deep4deep/deep4deep/synth).\n\n")
	fmt.Fprintf(&b, "recipe version: pa1 (speech and channel models of synth %s)\nseed: %d\nscale: %g\n", Version, opts.Seed, scale)
	if opts.Like != "" {
		fmt.Fprintf(&b, "rows: copied from %s (sets without a protocol there: generated)\n", opts.Like)
	} else {
		b.WriteString("rows: generated with the structure of the real ASVspoof 2019 PA protocols\n")
	}
	if opts.Command != "" {
		fmt.Fprintf(&b, "command: %s\n", opts.Command)
	}
	b.WriteString("\nset    bonafide  spoof  environments  attacks\n")
	for _, s := range corpus.Sets {
		g, sp := counts(p[s])
		envs, attacks := map[string]bool{}, map[string]bool{}
		for _, t := range p[s] {
			envs[t.Condition("environment")] = true
			if a := t.Condition("attack"); a != "" {
				attacks[a] = true
			}
		}
		fmt.Fprintf(&b, "%-6s %8d %6d %13d %8d\n", s, g, sp, len(envs), len(attacks))
	}
	b.WriteString(`
Audio: 16 kHz, 16-bit mono FLAC. Environment = room size S (2-5, 5-10,
10-20 m^2), T60 (50-200, 200-600, 600-1000 ms) and talker-to-ASV distance
Ds (10-50, 50-100, 100-150 cm), bins a/b/c; attack = attacker-to-talker
distance Da (10-50, 50-100, 100-150 cm) and replay device quality Q
(perfect, high, low), bins A/B/C (Wang et al. 2020). Bona fide = speech ->
room at Ds -> ASV microphone. Spoof = speech -> room at Da -> attacker's
recorder (quality Q) -> replay loudspeaker (quality Q) -> room at Ds -> ASV
microphone. Every file draws its own values within its bins.
`)
	return b.String()
}
