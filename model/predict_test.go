package model

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/deep4deep/deep4deep/audio"
	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/internal/memtest"
	"github.com/deep4deep/deep4deep/synth"
)

func TestLabel(t *testing.T) {
	for _, tc := range []struct {
		score  float64
		speech bool
		want   string
	}{
		{1.5, true, LabelGenuine}, {1e-9, true, LabelGenuine}, {0, true, LabelSpoof}, {-3, true, LabelSpoof},
		{78, false, LabelNoSpeech}, {0, false, LabelNoSpeech}, {-2, false, LabelNoSpeech},
	} {
		if got := Label(tc.score, tc.speech); got != tc.want {
			t.Errorf("Label(%v, %v) = %q, want %q", tc.score, tc.speech, got, tc.want)
		}
	}
}

// hostileDir holds audio's crafted files (see audio/testdata/hostile).
const hostileDir = "../audio/testdata/hostile"

// TestPredictHostile runs every crafted file through the predict path
// (load, score, speech check) with the fixture CNN: each gives a clear error
// naming the file, or the label no_speech with a score, within an
// allocation budget; synthetic speech, genuine and replayed, keeps its
// genuine/spoof label.
func TestPredictHostile(t *testing.T) {
	m, err := Load("testdata/cnn")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	r := synth.NewRenderer(1, nil)
	speech := map[string]bool{}
	for _, tr := range []corpus.Trial{
		{File: "genuine.wav", Label: corpus.Genuine, Speaker: "M0001", Phrase: "S01", Environment: "-", Playback: "-", Recorder: "-"},
		{File: "spoof.wav", Label: corpus.Spoof, Speaker: "M0001", Phrase: "S02", Environment: "E08", Playback: "P05", Recorder: "R03"},
	} {
		x, err := r.Render(tr)
		if err != nil {
			t.Fatal(err)
		}
		if err := audio.WriteWAV16(filepath.Join(dir, tr.File), x, 16000); err != nil {
			t.Fatal(err)
		}
		speech[tr.File] = true
	}
	p, err := m.newPredictor(1)
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	reused, err := p.predictFile(filepath.Join(dir, "genuine.wav")) // buffers allocated once
	if err != nil {
		t.Fatal(err)
	}
	// The fbank model's own features feed the speech check; recomputing
	// them gives the same answer.
	if !p.reuse {
		t.Error("an fbank model's predictor recomputes the fbank for the speech check")
	}
	p.reuse = false
	if again, err := p.predictFile(filepath.Join(dir, "genuine.wav")); err != nil || again != reused {
		t.Errorf("speech check on recomputed features: %+v, %v; on the model's: %+v", again, err, reused)
	}
	p.reuse = true
	for _, tc := range []struct {
		file, want string // want: error substring, or a label
	}{
		{"flac_streaminfo_huge.flac", "the limit is 1h0m0s"},
		{"flac_2g_badframe.flac", "the limit is 1h0m0s"},
		{"flac_59min_badframe.flac", "corrupt FLAC"},
		{"flac_bomb.flac", "decompression bomb"},
		{"wav_1hz.wav", "sample rate 1 Hz"},
		{"wav_float_1e30.wav", "beyond ±16"},
		{"silence.wav", LabelNoSpeech},
		{"white_noise.wav", LabelNoSpeech},
		{"square_200hz.wav", LabelNoSpeech},
		{"tone_1khz.wav", LabelNoSpeech},
		{"sweep.wav", LabelNoSpeech},
		{"genuine.wav", "speech"},
		{"spoof.wav", "speech"},
	} {
		path := filepath.Join(hostileDir, tc.file)
		if speech[tc.file] {
			path = filepath.Join(dir, tc.file)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		var pr Prediction
		start := time.Now()
		n := memtest.Allocated(func() { pr, err = p.predictFile(path) })
		t.Logf("%-26s %v, %d bytes allocated: %+v %v", tc.file, time.Since(start).Round(time.Millisecond), n, pr, err)
		// The input, its decoded samples (≤ 800 bytes per FLAC byte, see
		// audio's decodeBudget), features and a constant.
		if budget := 800*uint64(fi.Size()) + 32<<20; n > budget {
			t.Errorf("%s: allocated %d bytes, budget %d", tc.file, n, budget)
		}
		switch tc.want {
		case LabelNoSpeech:
			if err != nil || pr.Label != LabelNoSpeech || pr.Speech.Speech || pr.Speech.Reason == "" {
				t.Errorf("%s: %+v, err %v; want no_speech with a reason", tc.file, pr, err)
			}
		case "speech":
			if err != nil || !pr.Speech.Speech || pr.Label != Label(pr.Score, true) {
				t.Errorf("%s: %+v, err %v; want speech", tc.file, pr, err)
			}
		default:
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.file) {
				t.Errorf("%s: err %v; want one naming the file and containing %q", tc.file, err, tc.want)
			}
		}
	}
}

// TestPredictFilesMatchesScoreFiles: PredictFiles gives ScoreFiles' scores,
// with or without reusing the model's fbank for the speech check.
func TestPredictFilesMatchesScoreFiles(t *testing.T) {
	m, err := Load("testdata/cnn")
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{"testdata/cnn.wav", filepath.Join(hostileDir, "silence.wav"), filepath.Join(hostileDir, "sweep.wav")}
	scores, err := m.ScoreFiles(context.Background(), paths, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	preds, err := m.PredictFiles(context.Background(), paths, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range paths {
		if preds[i].Score != scores[i] || preds[i].Label != Label(scores[i], preds[i].Speech.Speech) {
			t.Errorf("%s: %+v, ScoreFiles %v", paths[i], preds[i], scores[i])
		}
	}
	if preds[1].Label != LabelNoSpeech || preds[2].Label != LabelNoSpeech {
		t.Errorf("silence %q, sweep %q; want no_speech", preds[1].Label, preds[2].Label)
	}
}

// TestPredictOneFileThreads: one file with two engine threads (the speech
// check beside the scoring) predicts exactly what one thread (the check
// after the scoring) does, through PredictFiles and PredictEach alike.
func TestPredictOneFileThreads(t *testing.T) {
	m, err := Load("testdata/cnn")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"testdata/cnn.wav", filepath.Join(hostileDir, "silence.wav")} {
		var got []Prediction
		for _, workers := range []int{1, 2} {
			p, err := m.PredictFiles(context.Background(), []string{path}, workers, nil)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, p[0])
			err = m.PredictEach(context.Background(), []string{path}, workers, nil, func(_ int, p Prediction, err error) {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, p)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		for i := 1; i < len(got); i++ {
			if got[i] != got[0] {
				t.Errorf("%s: prediction %d %+v, want %+v", path, i, got[i], got[0])
			}
		}
	}
}
