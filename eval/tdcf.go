package eval

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/deep4deep/deep4deep/corpus"
)

// The tandem detection cost function (t-DCF) scores a countermeasure (CM)
// by the cost it causes in front of a given automatic speaker verification
// (ASV) system (Kinnunen et al., "t-DCF: a detection cost function for the
// tandem assessment of spoofing countermeasures and automatic speaker
// verification", Odyssey 2018; revised in IEEE/ACM TASLP 2020). Both forms
// here are written from the published formulas and follow the organisers'
// evaluation scripts in the details that change numbers:
//
//   - the ASV threshold is the ASV EER point of compute_eer (the first
//     point of the DET curve with the smallest |Pmiss − Pfa|), and the ASV
//     rates are taken at it with "accept if score ≥ threshold";
//   - the minimum runs over every point of the CM DET curve of
//     compute_det_curve: the trials sorted by score (ties: bona fide before
//     spoof), the threshold set below none, one, two, … of them.

// CostModel holds the priors and costs of the t-DCF.
type CostModel struct {
	Pspoof   float64 // prior of a spoof attack
	Ptar     float64 // prior of a target (genuine user) trial
	Pnon     float64 // prior of a zero-effort impostor trial
	CmissASV float64 // ASV rejects a target
	CfaASV   float64 // ASV accepts a non-target
	CmissCM  float64 // CM rejects a bona fide trial
	CfaCM    float64 // CM accepts a spoof (the revised form's Cfa,spoof)
}

// ASVspoof2019Costs is the cost model of ASVspoof 2019 and 2021:
// Pspoof = 0.05, Ptar = 0.95·0.99, Pnon = 0.95·0.01, every Cmiss 1, every
// Cfa 10.
var ASVspoof2019Costs = CostModel{
	Pspoof: 0.05, Ptar: (1 - 0.05) * 0.99, Pnon: (1 - 0.05) * 0.01,
	CmissASV: 1, CfaASV: 10, CmissCM: 1, CfaCM: 10,
}

// ASVOperatingPoint is an ASV system's error rates at its decision
// threshold: the part of the t-DCF that the countermeasure does not
// control.
type ASVOperatingPoint struct {
	// Source says where the rates come from (an ASV score file, or the
	// fixed reference point).
	Source        string   `json:"source"`
	Threshold     *float64 `json:"threshold,omitempty"` // ASV EER threshold, when computed from scores
	PfaASV        float64  `json:"pfa_asv"`             // non-targets accepted
	PmissASV      float64  `json:"pmiss_asv"`           // targets rejected
	PmissSpoofASV float64  `json:"pmiss_spoof_asv"`     // spoofs rejected (1 − Pfa,spoof)
}

// ASVspoof5Reference is the fixed ASV operating point published with
// ASVspoof 5 for a t-DCF without ASV scores: Pfa,non = 0.01881,
// Pmiss = 0.01880, Pfa,spoof = 0.4607.
var ASVspoof5Reference = ASVOperatingPoint{
	Source:   "fixed ASVspoof 5 reference ASV operating point (no ASV scores given)",
	PfaASV:   0.01881,
	PmissASV: 0.01880, PmissSpoofASV: 1 - 0.4607,
}

// ASVScores are an ASV system's scores split by trial type.
type ASVScores struct {
	Target, Nontarget, Spoof []float64
}

// ParseASVScores reads ASV scores in the organisers' format (the
// ASVspoof 2019 ASVspoof2019.LA.asv.*.gi.trl.scores.txt files): one trial
// per line, "KEY TARGETNESS SCORE", TARGETNESS target, nontarget or spoof
// (KEY, bonafide or the attack, is not used). Errors are "name:line: what".
func ParseASVScores(r io.Reader, name string) (*ASVScores, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxScoreLine)
	s := &ASVScores{}
	line := 0
	for sc.Scan() {
		line++
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if len(f) != 3 {
			return nil, fmt.Errorf("%s:%d: %d columns, want 3 (key, target|nontarget|spoof, score)", name, line, len(f))
		}
		v, err := parseScore(f[2])
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		switch f[1] {
		case "target":
			s.Target = append(s.Target, v)
		case "nontarget":
			s.Nontarget = append(s.Nontarget, v)
		case "spoof":
			s.Spoof = append(s.Spoof, v)
		default:
			return nil, fmt.Errorf("%s:%d: trial type %q, want target, nontarget or spoof", name, line, f[1])
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%s:%d: line longer than %d bytes", name, line+1, maxScoreLine)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	switch {
	case len(s.Target) == 0:
		return nil, fmt.Errorf("%s: no target trial", name)
	case len(s.Nontarget) == 0:
		return nil, fmt.Errorf("%s: no nontarget trial", name)
	case len(s.Spoof) == 0:
		return nil, fmt.Errorf("%s: no spoof trial", name)
	}
	return s, nil
}

// ReadASVScores reads the ASV score file at path (see ParseASVScores).
func ReadASVScores(path string) (*ASVScores, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseASVScores(f, path)
}

// OperatingPoint returns the ASV rates at the ASV EER threshold (target
// against nontarget scores), as the ASVspoof 2019 and 2021 evaluation
// scripts set it. source names the scores in the result.
func (s *ASVScores) OperatingPoint(source string) ASVOperatingPoint {
	frr, far, thr := detCurve(s.Target, s.Nontarget)
	best := 0
	for i := range frr {
		if math.Abs(frr[i]-far[i]) < math.Abs(frr[best]-far[best]) {
			best = i
		}
	}
	t := thr[best]
	rate := func(xs []float64, below bool) float64 {
		n := 0
		for _, x := range xs {
			if (x < t) == below {
				n++
			}
		}
		return float64(n) / float64(len(xs))
	}
	return ASVOperatingPoint{
		Source:    source,
		Threshold: &t,
		PfaASV:    rate(s.Nontarget, false), PmissASV: rate(s.Target, true), PmissSpoofASV: rate(s.Spoof, true),
	}
}

// detCurve is compute_det_curve of the organisers' scripts: the miss rate
// of the positives and the false-alarm rate of the negatives with the
// threshold below none, one, two, … of the pooled, stably sorted scores
// (ties: positives first), and the thresholds (the first one 0.001 below
// the lowest score).
func detCurve(pos, neg []float64) (miss, fa, thr []float64) {
	type item struct {
		v   float64
		pos bool
	}
	all := make([]item, 0, len(pos)+len(neg))
	for _, v := range pos {
		all = append(all, item{v, true})
	}
	for _, v := range neg {
		all = append(all, item{v, false})
	}
	slices.SortStableFunc(all, func(a, b item) int {
		switch {
		case a.v < b.v:
			return -1
		case a.v > b.v:
			return 1
		}
		return 0
	})
	n := len(all)
	miss, fa, thr = make([]float64, n+1), make([]float64, n+1), make([]float64, n+1)
	fa[0] = 1
	if n > 0 {
		thr[0] = all[0].v - 0.001
	}
	p, q := 0, 0
	for i, it := range all {
		if it.pos {
			p++
		} else {
			q++
		}
		miss[i+1] = float64(p) / float64(len(pos))
		fa[i+1] = float64(len(neg)-q) / float64(len(neg))
		thr[i+1] = it.v
	}
	return miss, fa, thr
}

// TDCFLegacy is the minimum normalised t-DCF of ASVspoof 2019 for the CM
// scores of bona fide (genuine) and spoof trials, higher = bona fide:
//
//	C1 = Ptar·(Cmiss,cm − Cmiss,asv·Pmiss,asv) − Pnon·Cfa,asv·Pfa,asv
//	C2 = Cfa,cm·Pspoof·(1 − Pmiss,spoof,asv)
//	min over CM thresholds of (C1·Pmiss,cm + C2·Pfa,cm) / min(C1, C2)
//
// It fails when C1 or C2 is not positive (the ASV point makes the CM
// irrelevant) or a class is empty.
func TDCFLegacy(bonafide, spoof []float64, asv ASVOperatingPoint, cm CostModel) (float64, error) {
	c1 := cm.Ptar*(cm.CmissCM-cm.CmissASV*asv.PmissASV) - cm.Pnon*cm.CfaASV*asv.PfaASV
	c2 := cm.CfaCM * cm.Pspoof * (1 - asv.PmissSpoofASV)
	if !(c1 > 0 && c2 > 0) {
		return 0, fmt.Errorf("legacy t-DCF weights C1 = %g, C2 = %g are not both positive at this ASV operating point", c1, c2)
	}
	return minTDCF(bonafide, spoof, 0, c1, c2, min(c1, c2))
}

// TDCFRevised is the minimum normalised t-DCF of ASVspoof 2021 (the
// revised form of Kinnunen et al. 2020):
//
//	C0 = Ptar·Cmiss·Pmiss,asv + Pnon·Cfa·Pfa,asv
//	C1 = Ptar·Cmiss − C0
//	C2 = Pspoof·Cfa,spoof·(1 − Pmiss,spoof,asv)
//	min over CM thresholds of (C0 + C1·Pmiss,cm + C2·Pfa,cm) / (C0 + min(C1, C2))
//
// with Cmiss = CmissASV, Cfa = CfaASV and Cfa,spoof = CfaCM.
func TDCFRevised(bonafide, spoof []float64, asv ASVOperatingPoint, cm CostModel) (float64, error) {
	c0 := cm.Ptar*cm.CmissASV*asv.PmissASV + cm.Pnon*cm.CfaASV*asv.PfaASV
	c1 := cm.Ptar*cm.CmissASV - c0
	c2 := cm.Pspoof * cm.CfaCM * (1 - asv.PmissSpoofASV)
	if c1 < 0 || c2 < 0 || c0+min(c1, c2) <= 0 {
		return 0, fmt.Errorf("revised t-DCF weights C0 = %g, C1 = %g, C2 = %g give no positive normaliser at this ASV operating point", c0, c1, c2)
	}
	return minTDCF(bonafide, spoof, c0, c1, c2, c0+min(c1, c2))
}

// minTDCF is the minimum over the CM DET curve of (c0 + c1·Pmiss + c2·Pfa)/norm.
func minTDCF(bonafide, spoof []float64, c0, c1, c2, norm float64) (float64, error) {
	if len(bonafide) == 0 || len(spoof) == 0 {
		return 0, fmt.Errorf("t-DCF needs bona fide and spoof scores (%d and %d given)", len(bonafide), len(spoof))
	}
	for _, xs := range [2][]float64{bonafide, spoof} {
		for _, v := range xs {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return 0, fmt.Errorf("CM score %v is not finite", v)
			}
		}
	}
	miss, fa, _ := detCurve(bonafide, spoof)
	best := math.Inf(1)
	for i := range miss {
		best = min(best, (c0+c1*miss[i]+c2*fa[i])/norm)
	}
	return best, nil
}

// AddTDCF computes both t-DCF forms for the scored protocol trials at the
// ASV operating point asv with the ASVspoof 2019 cost model, and records
// them and the operating point in r.
func (r *Result) AddTDCF(trials []corpus.Trial, scores map[string]float64, asv ASVOperatingPoint) error {
	g, s := ClassScores(trials, scores)
	legacy, err := TDCFLegacy(g, s, asv, ASVspoof2019Costs)
	if err != nil {
		return err
	}
	revised, err := TDCFRevised(g, s, asv, ASVspoof2019Costs)
	if err != nil {
		return err
	}
	r.TDCFLegacy, r.TDCFRevised, r.TDCFASV = &legacy, &revised, &asv
	return nil
}
