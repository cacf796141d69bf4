// Command gentable summarises scripts/generalisation.sh: for each system
// the dev and eval EER and the eval Cllr of its calibrated scores over the
// seeds (mean and range), also split by playback device (with a bass
// cut-off or full-range); then it fuses the two systems with the lowest
// mean eval EER, per seed (fuser learnt on dev, applied to eval), adds that
// row and a row for each further pair -fuse names. It writes the
// per-condition breakdown of the best single system (first seed) to
// OUT/best-breakdown.txt.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/deep4deep/deep4deep/synth"
)

type result struct {
	EER      float64 `json:"eer"`
	Cllr     float64 `json:"cllr"`
	MinCllr  float64 `json:"min_cllr"`
	ActDCF   float64 `json:"act_dcf"`
	MinDCF   float64 `json:"min_dcf"`
	NGenuine int     `json:"n_genuine"`
	NSpoof   int     `json:"n_spoof"`
}

func read(path string) (result, error) {
	var r result
	data, err := os.ReadFile(path)
	if err != nil {
		return r, err
	}
	return r, json.Unmarshal(data, &r)
}

type stat struct{ mean, lo, hi float64 }

func summarise(x []float64) stat {
	s := stat{lo: slices.Min(x), hi: slices.Max(x)}
	for _, v := range x {
		s.mean += v
	}
	s.mean /= float64(len(x))
	return s
}

func (s stat) pct() string { return fmt.Sprintf("%.2f [%.2f–%.2f]", 100*s.mean, 100*s.lo, 100*s.hi) }
func (s stat) num() string { return fmt.Sprintf("%.3f [%.3f–%.3f]", s.mean, s.lo, s.hi) }

func main() {
	out := flag.String("out", "gen-out", "output folder of generalisation.sh")
	seedList := flag.String("seeds", "1 2 3", "seeds")
	sysList := flag.String("systems", "", "systems")
	fuseList := flag.String("fuse", "", "more fusions to add after the best two's, as A+B, space-separated")
	flag.Parse()
	seeds, systems := strings.Fields(*seedList), strings.Fields(*sysList)
	d := filepath.Join(*out, "deep4deep")
	proto := filepath.Join(*out, "corpus", "protocol_V2")
	type row struct {
		name                  string
		dev, eval, cllr, minc stat
		fullRange, bassCut    stat
	}
	full, cut := splitProtocol(*out, filepath.Join(proto, "ASVspoof2017_V2_eval.trl.txt"))
	// subsetEER is the eval EER of a score file on the genuine trials and
	// the spoofs of one playback group.
	subsetEER := func(scores, protocol string) float64 {
		var r result
		if err := json.Unmarshal([]byte(run(d, "eval", "--json", "--scores", scores, "--protocol", protocol)), &r); err != nil {
			fatal(err)
		}
		return r.EER
	}
	var rows []row
	for _, sys := range systems {
		var dev, ev, cl, mc, fr, bc []float64
		for _, s := range seeds {
			r := filepath.Join(*out, "results", sys+"-"+s)
			a, err := read(filepath.Join(r, "dev.json"))
			if err != nil {
				fatal(err)
			}
			b, err := read(filepath.Join(r, "eval.json"))
			if err != nil {
				fatal(err)
			}
			dev, ev, cl, mc = append(dev, a.EER), append(ev, b.EER), append(cl, b.Cllr), append(mc, b.MinCllr)
			fr = append(fr, subsetEER(filepath.Join(r, "eval.txt"), full))
			bc = append(bc, subsetEER(filepath.Join(r, "eval.txt"), cut))
		}
		rows = append(rows, row{sys, summarise(dev), summarise(ev), summarise(cl), summarise(mc), summarise(fr), summarise(bc)})
	}
	best := slices.Clone(rows)
	slices.SortStableFunc(best, func(a, b row) int {
		switch {
		case a.eval.mean < b.eval.mean:
			return -1
		case a.eval.mean > b.eval.mean:
			return 1
		}
		return 0
	})
	if len(best) >= 2 {
		pairs := [][2]string{{best[0].name, best[1].name}}
		for _, p := range strings.Fields(*fuseList) {
			a, b, ok := strings.Cut(p, "+")
			if !ok {
				fatal(fmt.Errorf("-fuse %q: want A+B", p))
			}
			if !slices.Contains(systems, a) || !slices.Contains(systems, b) {
				continue // a pair of systems this table does not have
			}
			if pairs[0] != [2]string{a, b} {
				pairs = append(pairs, [2]string{a, b})
			}
		}
		for i, pair := range pairs {
			a, b := pair[0], pair[1]
			var ev, cl, mc, fr, bc []float64
			for _, s := range seeds {
				ra, rb := filepath.Join(*out, "results", a+"-"+s), filepath.Join(*out, "results", b+"-"+s)
				f := filepath.Join(*out, "results", "fusion-"+s) // the best two's
				if i > 0 {
					f = filepath.Join(*out, "results", "fusion-"+a+"+"+b+"-"+s)
				}
				os.MkdirAll(f, 0o755)
				run(d, "fuse", "--scores", "A="+filepath.Join(ra, "dev.txt"), "--scores", "B="+filepath.Join(rb, "dev.txt"),
					"--protocol", filepath.Join(proto, "ASVspoof2017_V2_dev.trl.txt"), "--out", filepath.Join(f, "fuser.json"))
				run(d, "fuse", "--apply", filepath.Join(f, "fuser.json"), "--scores", "A="+filepath.Join(ra, "eval.txt"),
					"--scores", "B="+filepath.Join(rb, "eval.txt"), "--out", filepath.Join(f, "eval.txt"))
				js := run(d, "eval", "--json", "--scores", filepath.Join(f, "eval.txt"), "--protocol", filepath.Join(proto, "ASVspoof2017_V2_eval.trl.txt"))
				var r result
				if err := json.Unmarshal([]byte(js), &r); err != nil {
					fatal(err)
				}
				ev, cl, mc = append(ev, r.EER), append(cl, r.Cllr), append(mc, r.MinCllr)
				fr = append(fr, subsetEER(filepath.Join(f, "eval.txt"), full))
				bc = append(bc, subsetEER(filepath.Join(f, "eval.txt"), cut))
			}
			rows = append(rows, row{name: "fusion of " + a + " + " + b, eval: summarise(ev), cllr: summarise(cl), minc: summarise(mc),
				fullRange: summarise(fr), bassCut: summarise(bc)})
		}
		a := best[0].name
		txt := run(d, "eval", "--scores", filepath.Join(*out, "results", a+"-"+seeds[0], "eval.txt"),
			"--calibration", filepath.Join(*out, "results", a+"-"+seeds[0], "cal.json"),
			"--protocol", filepath.Join(proto, "ASVspoof2017_V2_eval.trl.txt"))
		os.WriteFile(filepath.Join(*out, "best-breakdown.txt"), []byte(txt), 0o644)
	}
	fmt.Printf("| system | dev EER %% mean [range] | eval EER %% mean [range] | eval Cllr (calibrated on dev) | eval min Cllr | eval EER %%, playback with a bass cut-off | eval EER %%, full-range playback |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rows {
		dev := "–"
		if r.dev != (stat{}) {
			dev = r.dev.pct()
		}
		fmt.Printf("| %s | %s | %s | %s | %s | %s | %s |\n", r.name, dev, r.eval.pct(), r.cllr.num(), r.minc.num(), r.bassCut.pct(), r.fullRange.pct())
	}
	fmt.Printf("\nSeeds %s; %s.\n", strings.Join(seeds, ", "), "EER = ROCCH-EER; Cllr of eval scores calibrated by the affine map fitted on dev (fusion: its own LLRs); "+
		"the last two columns split the eval spoofs by their playback device's low cut-off (synth/CONDITIONS.md), each against all genuine trials: "+
		"full-range = cut-off ≤ "+strconv.Itoa(fullRangeHz)+" Hz (studio monitors, hi-fi speakers, line outputs), none of them like the train set's phone and laptop speakers")
}

// fullRangeHz is the highest loudspeaker low cut-off counted as full-range.
const fullRangeHz = 55

// splitProtocol writes two eval protocols into out: every genuine trial
// with the spoofs whose playback device (synth.PlaybackOf) cuts off at or
// below fullRangeHz, and every genuine trial with the other spoofs. It
// returns their paths.
func splitProtocol(out, eval string) (full, cut string) {
	data, err := os.ReadFile(eval)
	if err != nil {
		fatal(err)
	}
	var f, c strings.Builder
	for _, line := range strings.SplitAfter(string(data), "\n") {
		fs := strings.Fields(line)
		switch {
		case len(fs) == 0:
		case fs[1] == "genuine":
			f.WriteString(line)
			c.WriteString(line)
		case len(fs) >= 6 && synth.PlaybackOf(fs[5]).Low <= fullRangeHz:
			f.WriteString(line)
		default:
			c.WriteString(line)
		}
	}
	full, cut = filepath.Join(out, "eval-full-range.trl.txt"), filepath.Join(out, "eval-bass-cut.trl.txt")
	if err := os.WriteFile(full, []byte(f.String()), 0o644); err != nil {
		fatal(err)
	}
	if err := os.WriteFile(cut, []byte(c.String()), 0o644); err != nil {
		fatal(err)
	}
	return full, cut
}

func run(name string, args ...string) string {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		fatal(fmt.Errorf("%s %s: %v %s", name, strings.Join(args, " "), err, msg))
	}
	return string(out)
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "gentable:", err)
	os.Exit(1)
}
