// Package eval scores a replay-detection system the way the ASVspoof
// challenges do (DESIGN §5): it reads and writes score files, computes the
// equal error rate both as the ASVspoof 2017 official ROCCH-EER (BOSARIS
// toolkit) and as the ASVspoof 2019/2021 evaluation package's EER, the
// accuracy, precision, recall, F1 and confusion matrix of the decision
// "score > 0 ⇒ genuine", and the EER broken down by replay condition
// (environment, playback device, recording device) and phrase.
//
// Many published EERs could not be reproduced because each team's
// evaluation script differed in small ways (tie handling, interpolation,
// which trials count). The EERs here are written from the published
// algorithms and tested against hand-worked cases, an independent convex
// hull computation and fixtures from the reference Python code, so that
// deep4deep's numbers are the official ones.
//
// Scores are "higher = genuine"; genuine is the positive (target) class.
package eval

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/deep4deep/deep4deep/corpus"
)

// Result is the evaluation of one system on one protocol. Its JSON form is
// the one of DESIGN §5; every rate is a fraction in [0, 1].
type Result struct {
	EER      float64 `json:"eer"`       // ROCCH-EER (ASVspoof 2017 official, BOSARIS)
	EERStep  float64 `json:"eer_step"`  // ASVspoof 2019/2021 eval-package EER
	NGenuine int     `json:"n_genuine"` // scored genuine trials
	NSpoof   int     `json:"n_spoof"`   // scored spoof trials
	// Missing counts protocol trials without a score; they are left out of
	// every number above and below.
	Missing int `json:"missing"`
	// Extra counts scores whose ID is not in the protocol; they are ignored.
	Extra int `json:"extra"`

	// The decision "score > 0 ⇒ genuine" (the seed's rule), genuine being
	// the positive class. Precision is 0 when no trial is accepted, F1 is 0
	// when precision and recall are both 0.
	Accuracy  float64   `json:"accuracy"`
	Precision float64   `json:"precision"`
	Recall    float64   `json:"recall"`
	F1        float64   `json:"f1"`
	Confusion Confusion `json:"confusion"`

	// Cllr, min Cllr, actual and minimum DCF (ASVspoof 5 parameters),
	// reading the scores as natural-log likelihood ratios (calibration.go).
	CalibrationMetrics

	By Breakdown `json:"by"`

	// The minimum normalised tandem detection cost functions (see TDCF),
	// set by AddTDCF: the ASVspoof 2019 (legacy) and 2021 (revised)
	// forms, and the ASV operating point they were computed at.
	TDCFLegacy  *float64           `json:"tdcf_legacy,omitempty"`
	TDCFRevised *float64           `json:"tdcf_revised,omitempty"`
	TDCFASV     *ASVOperatingPoint `json:"tdcf_asv,omitempty"`
}

// Confusion is the confusion matrix of the decision "score > 0 ⇒ genuine":
// rows are the true class, columns the decision.
type Confusion struct {
	GenuineAsGenuine int `json:"genuine_as_genuine"` // true positives
	GenuineAsSpoof   int `json:"genuine_as_spoof"`   // false negatives (false rejections)
	SpoofAsGenuine   int `json:"spoof_as_genuine"`   // false positives (false acceptances)
	SpoofAsSpoof     int `json:"spoof_as_spoof"`     // true negatives
}

// Breakdown holds the EER per value of each protocol column, keyed by the
// value (e.g. "E01"). Only values with at least one scored spoof trial
// appear.
type Breakdown struct {
	Environment map[string]Condition `json:"environment"`
	Playback    map[string]Condition `json:"playback"`
	Recorder    map[string]Condition `json:"recorder"`
	Phrase      map[string]Phrase    `json:"phrase"`
	// Columns holds the breakdown by the condition columns of the other
	// corpus formats (corpus.Trial.Conditions: ASVspoof 2019 environment
	// and attack, 2021 codec and transmission, a list's keys), keyed by
	// column name, then value. Each value's spoof trials are scored against
	// all genuine trials and, when genuine trials carry the same value (a
	// 2019 PA environment, a 2021 codec), against those ("own"). In JSON the
	// columns sit beside the 2017 ones in "by".
	Columns map[string]map[string]Phrase `json:"-"`
}

// MarshalJSON writes the 2017 breakdowns and the condition columns as one
// object; the 2017 ones are left out when empty and columns are present.
func (b Breakdown) MarshalJSON() ([]byte, error) {
	m := map[string]any{}
	if len(b.Columns) == 0 || len(b.Environment)+len(b.Playback)+len(b.Recorder)+len(b.Phrase) > 0 {
		m["environment"], m["playback"], m["recorder"], m["phrase"] = b.Environment, b.Playback, b.Recorder, b.Phrase
	}
	for k, v := range b.Columns {
		if _, clash := m[k]; !clash {
			m[k] = v
		}
	}
	return json.Marshal(m)
}

// Condition is the EER of the spoof trials with one value of a column
// against all genuine trials, as ASVspoof reports replay conditions.
type Condition struct {
	EER      float64 `json:"eer"`
	EERStep  float64 `json:"eer_step"`
	NSpoof   int     `json:"n_spoof"`
	NGenuine int     `json:"n_genuine"` // all scored genuine trials
}

// Phrase is a Condition for one phrase, plus the EER of the phrase's own
// genuine trials against its own spoof trials (a text-dependent view: how
// well the phrase's replays are told from the same phrase spoken live).
type Phrase struct {
	Condition
	// EEROwn and EERStepOwn are null in JSON when the phrase has no scored
	// genuine trial.
	EEROwn      *float64 `json:"eer_own"`
	EERStepOwn  *float64 `json:"eer_step_own"`
	NGenuineOwn int      `json:"n_genuine_own"`
}

// MissingError is returned by Evaluate when protocol trials have no score
// and missing scores are not allowed.
type MissingError struct {
	Missing, Trials int
	First           string // ID of the first unscored trial in protocol order
}

func (e *MissingError) Error() string {
	return fmt.Sprintf("%d of %d protocol trials have no score (first: %s)", e.Missing, e.Trials, e.First)
}

// Evaluate scores a system. trials is the protocol; scores maps trial IDs
// (NormalizeID form, as ParseScores returns them) to scores, higher =
// genuine.
//
// A protocol trial without a score is counted in Result.Missing; unless
// allowMissing is set, any missing score makes Evaluate return a
// *MissingError. Scores for IDs that are not in the protocol are ignored and
// counted in Result.Extra (see ExtraIDs to list them). It is an error when a
// protocol ID appears twice, a score is NaN or infinite, or no genuine or
// no spoof trial is scored (the EER needs both classes).
//
// Evaluate does not modify its arguments.
func Evaluate(trials []corpus.Trial, scores map[string]float64, allowMissing bool) (*Result, error) {
	r := &Result{}
	seen := make(map[string]struct{}, len(trials))
	var gen []float64
	spoofBy := [4]map[string][]float64{{}, {}, {}, {}} // environment, playback, recorder, phrase
	genByPhrase := map[string][]float64{}
	var spoof []float64
	colSpoof := map[string]map[string][]float64{} // condition column → value → spoof scores
	colGen := map[string]map[string][]float64{}   // … → genuine scores
	addCol := func(m map[string]map[string][]float64, t corpus.Trial, v float64) {
		for _, k := range t.ConditionKeys() {
			if m[k.Name] == nil {
				m[k.Name] = map[string][]float64{}
			}
			m[k.Name][k.Value] = append(m[k.Name][k.Value], v)
		}
	}
	first := ""
	for _, t := range trials {
		id := t.ID()
		if _, dup := seen[id]; dup {
			return nil, fmt.Errorf("protocol lists trial %q twice", id)
		}
		seen[id] = struct{}{}
		v, ok := scores[id]
		if !ok {
			r.Missing++
			if first == "" {
				first = id
			}
			continue
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("trial %s: score %v is not finite", id, v)
		}
		accept := v > 0
		if t.Label == corpus.Genuine {
			gen = append(gen, v)
			if t.Phrase != "" {
				genByPhrase[t.Phrase] = append(genByPhrase[t.Phrase], v)
			}
			addCol(colGen, t, v)
			if accept {
				r.Confusion.GenuineAsGenuine++
			} else {
				r.Confusion.GenuineAsSpoof++
			}
			continue
		}
		spoof = append(spoof, v)
		for k, key := range [4]string{t.Environment, t.Playback, t.Recorder, t.Phrase} {
			if key != "" { // formats other than 2017 leave these empty
				spoofBy[k][key] = append(spoofBy[k][key], v)
			}
		}
		addCol(colSpoof, t, v)
		if accept {
			r.Confusion.SpoofAsGenuine++
		} else {
			r.Confusion.SpoofAsSpoof++
		}
	}
	for id := range scores {
		if _, ok := seen[id]; !ok {
			r.Extra++
		}
	}
	if r.Missing > 0 && !allowMissing {
		return nil, &MissingError{Missing: r.Missing, Trials: len(trials), First: first}
	}
	r.NGenuine, r.NSpoof = len(gen), len(spoof)
	switch {
	case r.NGenuine == 0 && r.NSpoof == 0:
		return nil, fmt.Errorf("no protocol trial has a score (%d trials, %d missing)", len(trials), r.Missing)
	case r.NGenuine == 0:
		return nil, fmt.Errorf("no genuine trial has a score; the EER needs both classes")
	case r.NSpoof == 0:
		return nil, fmt.Errorf("no spoof trial has a score; the EER needs both classes")
	}

	// Sort once; every breakdown reuses the sorted genuine scores. The
	// scores are finite, so sortedKeys cannot fail.
	genKeys, _ := sortedKeys(gen)
	spoofKeys, _ := sortedKeys(spoof)
	r.EER = eerSorted(genKeys, spoofKeys)
	r.EERStep = eerStepSorted(genKeys, spoofKeys)
	r.metrics()
	r.CalibrationMetrics = CalibrationOf(gen, spoof)

	condition := func(s []uint64) Condition {
		return Condition{EER: eerSorted(genKeys, s), EERStep: eerStepSorted(genKeys, s), NSpoof: len(s), NGenuine: len(gen)}
	}
	maps := [3]*map[string]Condition{&r.By.Environment, &r.By.Playback, &r.By.Recorder}
	for k, m := range maps {
		*m = make(map[string]Condition, len(spoofBy[k]))
		for key, s := range spoofBy[k] {
			sk, _ := sortedKeys(s)
			(*m)[key] = condition(sk)
		}
	}
	own := func(s []float64, g []float64) Phrase {
		sk, _ := sortedKeys(s)
		p := Phrase{Condition: condition(sk)}
		if len(g) > 0 {
			gk, _ := sortedKeys(g)
			e, es := eerSorted(gk, sk), eerStepSorted(gk, sk)
			p.EEROwn, p.EERStepOwn, p.NGenuineOwn = &e, &es, len(g)
		}
		return p
	}
	r.By.Phrase = make(map[string]Phrase, len(spoofBy[3]))
	for key, s := range spoofBy[3] {
		r.By.Phrase[key] = own(s, genByPhrase[key])
	}
	if len(colSpoof) > 0 {
		r.By.Columns = make(map[string]map[string]Phrase, len(colSpoof))
		for name, vals := range colSpoof {
			m := make(map[string]Phrase, len(vals))
			for val, s := range vals {
				m[val] = own(s, colGen[name][val])
			}
			r.By.Columns[name] = m
		}
	}
	return r, nil
}

// metrics fills the decision metrics from the confusion matrix.
func (r *Result) metrics() {
	c := r.Confusion
	tp, fn, fp, tn := float64(c.GenuineAsGenuine), float64(c.GenuineAsSpoof), float64(c.SpoofAsGenuine), float64(c.SpoofAsSpoof)
	r.Accuracy = (tp + tn) / (tp + fn + fp + tn)
	r.Precision, r.Recall, r.F1 = 0, 0, 0
	if tp+fp > 0 {
		r.Precision = tp / (tp + fp)
	}
	if tp+fn > 0 {
		r.Recall = tp / (tp + fn)
	}
	if tp > 0 {
		r.F1 = 2 * tp / (2*tp + fp + fn)
	}
}

// ExtraIDs returns, sorted, the IDs in scores that no protocol trial has
// (the trials counted in Result.Extra).
func ExtraIDs(trials []corpus.Trial, scores map[string]float64) []string {
	in := make(map[string]struct{}, len(trials))
	for _, t := range trials {
		in[t.ID()] = struct{}{}
	}
	var extra []string
	for id := range scores {
		if _, ok := in[id]; !ok {
			extra = append(extra, id)
		}
	}
	slices.Sort(extra)
	return extra
}

// ClassScores returns the scores of the scored protocol trials, split by
// class, in protocol order: the inputs of EER, EERStep and the DET plot.
// Trials without a score are left out.
func ClassScores(trials []corpus.Trial, scores map[string]float64) (genuine, spoof []float64) {
	for _, t := range trials {
		v, ok := scores[t.ID()]
		if !ok {
			continue
		}
		if t.Label == corpus.Genuine {
			genuine = append(genuine, v)
		} else {
			spoof = append(spoof, v)
		}
	}
	return genuine, spoof
}
