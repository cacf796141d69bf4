package eval

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/deep4deep/deep4deep/corpus"
)

// TestColumnBreakdown checks the breakdown by the condition columns of the
// 2019/2021/list formats: spoofs of a value against all genuine trials,
// and against the genuine trials with the same value when there are any.
func TestColumnBreakdown(t *testing.T) {
	trials := []corpus.Trial{
		{File: "g1", Label: corpus.Genuine, Conditions: "environment=aaa"},
		{File: "g2", Label: corpus.Genuine, Conditions: "environment=bbb"},
		{File: "s1", Label: corpus.Spoof, Conditions: "environment=aaa attack=AA"},
		{File: "s2", Label: corpus.Spoof, Conditions: "environment=bbb attack=BB"},
		{File: "s3", Label: corpus.Spoof, Conditions: "environment=bbb attack=BB"},
	}
	scores := map[string]float64{"g1": 2, "g2": 0.5, "s1": 1, "s2": -1, "s3": 0.7}
	r, err := Evaluate(trials, scores, false)
	if err != nil {
		t.Fatal(err)
	}
	all := []float64{2, 0.5}
	for _, tc := range []struct {
		col, val string
		spoof    []float64
		own      []float64
	}{
		{"environment", "aaa", []float64{1}, []float64{2}},
		{"environment", "bbb", []float64{-1, 0.7}, []float64{0.5}},
		{"attack", "AA", []float64{1}, nil},
		{"attack", "BB", []float64{-1, 0.7}, nil},
	} {
		got, ok := r.By.Columns[tc.col][tc.val]
		if !ok {
			t.Fatalf("no breakdown %s=%s in %+v", tc.col, tc.val, r.By.Columns)
		}
		wantEER := EER(all, tc.spoof)
		wantStep := EERStep(all, tc.spoof)
		if got.EER != wantEER || got.EERStep != wantStep || got.NSpoof != len(tc.spoof) || got.NGenuine != 2 {
			t.Errorf("%s=%s: %+v, want EER %v step %v", tc.col, tc.val, got.Condition, wantEER, wantStep)
		}
		if tc.own == nil {
			if got.EEROwn != nil {
				t.Errorf("%s=%s: own EER %v without own genuine trials", tc.col, tc.val, *got.EEROwn)
			}
			continue
		}
		ownEER := EER(tc.own, tc.spoof)
		if got.EEROwn == nil || *got.EEROwn != ownEER || got.NGenuineOwn != len(tc.own) {
			t.Errorf("%s=%s: own %v, want %v", tc.col, tc.val, got.EEROwn, ownEER)
		}
	}
	if len(r.By.Environment)+len(r.By.Phrase) != 0 {
		t.Errorf("2017 breakdowns filled from empty columns: %+v", r.By)
	}
	js, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		By map[string]map[string]json.RawMessage `json:"by"`
	}
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	if _, ok := back.By["environment"]["aaa"]; !ok || len(back.By["attack"]) != 2 || back.By["playback"] != nil {
		t.Errorf("JSON by = %s", js)
	}
	var sb strings.Builder
	if err := r.WriteText(&sb); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sb.String(), "EER by attack") || strings.Contains(sb.String(), "EER by playback") {
		t.Errorf("text report:\n%s", sb.String())
	}
}
