package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/deep4deep/deep4deep/augment"
	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/eval"
	"github.com/deep4deep/deep4deep/features"
	"github.com/deep4deep/deep4deep/internal/atomicfile"
	"github.com/deep4deep/deep4deep/model"
	"github.com/deep4deep/deep4deep/nn"
	"github.com/deep4deep/deep4deep/plot"
	"github.com/deep4deep/deep4deep/progress"
	"github.com/deep4deep/deep4deep/synth"
	"github.com/deep4deep/deep4deep/train"
)

// Names of what Run writes into Options.Out.
const (
	CorpusDir       = "corpus"
	ModelsDir       = "models"
	ScoresDir       = "scores"
	SummaryFile     = "summary.json"
	ReportFile      = "report.md"
	DETFile         = "det.png"
	CurvesFile      = "curves.png"
	SpectrogramFile = "spectrogram.png"
	// markerFile marks a folder as a demo's output, so that a rerun may
	// replace its corpus, models and scores but Run never deletes anything
	// in a folder it did not make.
	markerFile = ".deep4deep-demo"
)

// The two systems of the demo; names start with the model kind (DESIGN §7).
// CNNSystem is the CNN's name with the default options
// (CNNOptions.System names it after its features).
const (
	CNNSystem = DefaultCNNArch + "-" + string(DefaultCNNFeatures)
	GMMSystem = "gmm-cqcc"
)

// ScoreFile is the score file of system on set, relative to the demo folder,
// e.g. "scores/cnn-fbank.eval.txt".
func ScoreFile(system string, set corpus.Set) string {
	return ScoresDir + "/" + system + "." + set.String() + ".txt"
}

// ModelDir is the model directory of system, relative to the demo folder.
func ModelDir(system string) string { return ModelsDir + "/" + system }

// Run runs the demo: synthesise the corpus, train both systems, score the
// dev and eval sets, evaluate, and write the report, the summary and the
// figures into o.Out. The numbers of the report are computed by
// eval.Evaluate from the score files as written, so `deep4deep eval` on those
// files prints the same numbers.
func Run(ctx context.Context, o Options) (*Report, error) {
	if err := o.Validate(); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	start, cpu := time.Now(), cpuSeconds()
	if err := prepareOut(o.Out); err != nil {
		return nil, err
	}
	threads := o.threads()
	root := filepath.Join(o.Out, CorpusDir)
	c := corpus.Corpus{Root: root}
	rep := &Report{Command: o.Command, Scale: o.Scale, EvalScale: o.evalScale(), Seed: o.Seed, Threads: threads, Like: o.Like,
		Describe: synth.DescribeCondition}
	if rep.Command == "" {
		rep.Command = fmt.Sprintf("demo.Run with scale %g, seed %d", o.Scale, o.Seed)
	}
	r := &runner{progress: o.Progress, count: 6}

	// 1. The corpus.
	err := r.run(ctx, "synthesise corpus", "files", func(p *stageProgress) error {
		return synth.Generate(ctx, synth.Options{Out: root, Scale: o.Scale, EvalScale: o.EvalScale, Seed: o.Seed, Like: o.Like, Workers: threads,
			Command: rep.Command, Progress: p.inner("")})
	})
	if err != nil {
		return nil, err
	}
	trials := map[corpus.Set][]corpus.Trial{}
	for i, s := range corpus.Sets {
		if trials[s], err = c.Trials(s); err != nil {
			return nil, err
		}
		if rep.Corpus[i], err = setStats(c, s, trials[s]); err != nil {
			return nil, err
		}
	}
	rep.TrainConfigs = configCounts(trials[corpus.Train])
	rep.CorpusNote = fmt.Sprintf("Synthetic replay corpus (DESIGN §6, synth recipe version %s): "+
		"formant-synthesised speech of per-speaker voices; spoofs are genuine recordings "+
		"of the same speaker and phrase replayed through a loudspeaker (Pxx) in a room (Exx) "+
		"and re-recorded (Rxx); eval holds replay configurations unseen in train and dev.", synth.Version)

	// 2–3. Training.
	cnnName := o.CNN.System()
	cnn := System{Name: cnnName, Title: cnnTitle(o.CNN),
		ModelDir: ModelDir(cnnName), Scores: [2]string{ScoreFile(cnnName, corpus.Dev), ScoreFile(cnnName, corpus.Eval)}}
	gmmSys := System{Name: GMMSystem, Title: "the ASVspoof 2017 baseline (DESIGN §4.2): two diagonal GMMs on 90-dim CQCC",
		ModelDir: ModelDir(GMMSystem), Scores: [2]string{ScoreFile(GMMSystem, corpus.Dev), ScoreFile(GMMSystem, corpus.Eval)}}
	err = r.run(ctx, "train "+cnnName, "", func(p *stageProgress) error {
		t0 := time.Now()
		opt := train.DefaultCNNOptions()
		opt.Corpus, opt.Out = c, filepath.Join(o.Out, cnn.ModelDir)
		opt.Features = features.DefaultConfig(o.CNN.kind())
		a, err := nn.ArchByName(o.CNN.arch())
		if err != nil {
			return err
		}
		if opt.Arch, err = train.FitInput(a, opt.Features); err != nil {
			return err
		}
		sp, err := augment.Parse(o.CNN.Augment)
		if err != nil {
			return err
		}
		opt.AugmentSpec = sp.String()
		if f := sp.WaveFunc(); f != nil {
			opt.Augment = f
		}
		if f := sp.FeatureFunc(); f != nil {
			opt.AugmentFeatures = f
		}
		opt.Epochs, opt.FramesPerUtt, opt.DevFrames = o.CNN.Epochs, o.CNN.FramesPerUtt, o.CNN.DevFramesPerUtt
		if opt.Arch.Utterance() {
			opt.FramesPerUtt, opt.DevFrames = 0, 0 // crops, and whole dev utterances
		}
		opt.Patience = 0 // a short run: every epoch, keep the best
		opt.Seed, opt.Threads, opt.Progress = o.Seed, threads, p.inner("")
		res, err := train.TrainCNN(ctx, opt)
		if err != nil {
			return err
		}
		cnn.TrainSeconds = time.Since(t0).Seconds()
		cnn.Epochs, cnn.BestEpoch = res.Log, res.BestEpoch
		cnn.Settings = cnnSettings(opt, res)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = r.run(ctx, "train "+GMMSystem, "", func(p *stageProgress) error {
		t0 := time.Now()
		opt := train.DefaultGMMOptions()
		opt.Corpus, opt.Out = c, filepath.Join(o.Out, gmmSys.ModelDir)
		opt.Components, opt.Iters, opt.Tol, opt.MaxFrames = o.GMM.Components, o.GMM.Iterations, 0, o.GMM.MaxFrames
		opt.Seed, opt.Threads, opt.Progress = o.Seed, threads, p.inner("")
		res, err := train.TrainGMM(ctx, opt)
		if err != nil {
			return err
		}
		gmmSys.TrainSeconds = time.Since(t0).Seconds()
		gmmSys.Settings = gmmSettings(opt, res)
		return nil
	})
	if err != nil {
		return nil, err
	}

	// 4–5. Scores of dev and eval, through the saved models (as
	// `deep4deep score` does), written as score files.
	systems := []*System{&cnn, &gmmSys}
	for _, sys := range systems {
		err = r.run(ctx, "score "+sys.Name, "files", func(p *stageProgress) error {
			t0 := time.Now()
			m, err := model.Load(filepath.Join(o.Out, sys.ModelDir))
			if err != nil {
				return err
			}
			for i, s := range []corpus.Set{corpus.Dev, corpus.Eval} {
				if err := scoreSet(ctx, m, c, s, trials[s], threads, filepath.Join(o.Out, sys.Scores[i]), p.inner(s.String()+" set")); err != nil {
					return err
				}
			}
			sys.ScoreSeconds = time.Since(t0).Seconds()
			return nil
		})
		if err != nil {
			return nil, err
		}
	}

	// 6. Evaluation from the score files as written, figures, report.
	err = r.run(ctx, "evaluate and report", "", func(p *stageProgress) error {
		var curves []plot.DETCurve
		for _, sys := range systems {
			var err error
			if sys.Dev, err = evaluateFile(filepath.Join(o.Out, sys.Scores[0]), trials[corpus.Dev]); err != nil {
				return err
			}
			if sys.Eval, err = evaluateFile(filepath.Join(o.Out, sys.Scores[1]), trials[corpus.Eval]); err != nil {
				return err
			}
			var curve plot.DETCurve
			for i, set := range []corpus.Set{corpus.Dev, corpus.Eval} {
				scores, err := eval.ReadScores(filepath.Join(o.Out, sys.Scores[i]))
				if err != nil {
					return err
				}
				gen, spf := eval.ClassScores(trials[set], scores)
				// one seed per system and set, from the run's seed
				lo, hi := BootstrapEER(gen, spf, BootstrapResamples, o.Seed*1000003+uint64(len(curves))*2+uint64(i))
				if set == corpus.Dev {
					sys.DevCI = [2]float64{lo, hi}
				} else {
					sys.EvalCI = [2]float64{lo, hi}
					curve = plot.DETCurve{Label: sys.Name, Genuine: gen, Spoof: spf}
				}
			}
			curves = append(curves, curve)
		}
		if err := plot.DET(filepath.Join(o.Out, DETFile), curves); err != nil {
			return err
		}
		rep.Figures = append(rep.Figures, Figure{DETFile, "DET curves of both systems on the eval set"})
		pts := make([]plot.CurvePoint, len(cnn.Epochs))
		for i, e := range cnn.Epochs {
			pts[i] = plot.CurvePoint{Epoch: e.Epoch, TrainLoss: e.TrainLoss, DevLoss: e.DevLoss, DevEER: e.DevEER}
		}
		if err := plot.Curves(filepath.Join(o.Out, CurvesFile), cnnName, pts); err != nil {
			return err
		}
		rep.Figures = append(rep.Figures, Figure{CurvesFile, "CNN training curves: loss and dev EER per epoch"})
		fig, err := spectrogramFigure(o.Seed, trials[corpus.Eval], filepath.Join(o.Out, SpectrogramFile), synth.DescribeCondition)
		if err != nil {
			return err
		}
		rep.Figures = append(rep.Figures, fig)
		return nil
	})
	if err != nil {
		return nil, err
	}
	rep.Systems = []System{cnn, gmmSys}
	// 7. Calibration on dev and the fusion of both systems.
	if rep.Calibrated, rep.Fusion, err = calibrateAndFuse(o.Out, trials, systems); err != nil {
		return nil, err
	}
	rep.Stages = r.times
	rep.Seconds, rep.CPUSeconds = time.Since(start).Seconds(), cpuSeconds()-cpu
	rep.Findings = findings(rep)
	if err := atomicfile.Write(filepath.Join(o.Out, SummaryFile), 0o644, rep.WriteSummary); err != nil {
		return nil, err
	}
	if err := atomicfile.Write(filepath.Join(o.Out, ReportFile), 0o644, rep.WriteMarkdown); err != nil {
		return nil, err
	}
	return rep, nil
}

// prepareOut creates the demo folder, or clears the corpus, models and
// scores of an earlier demo run in it. A non-empty folder that is not a
// demo's is refused: Run deletes nothing it did not make.
func prepareOut(out string) error {
	ents, err := os.ReadDir(out)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(out, 0o755); err != nil {
			return err
		}
	case err != nil:
		return err
	case len(ents) > 0:
		if _, err := os.Stat(filepath.Join(out, markerFile)); err != nil {
			return &synth.FieldError{Field: "Out", Err: fmt.Errorf("%s: folder exists, is not empty and holds no earlier demo run (%s)", out, markerFile)}
		}
		for _, d := range []string{CorpusDir, ModelsDir, ScoresDir} {
			if err := os.RemoveAll(filepath.Join(out, d)); err != nil {
				return err
			}
		}
	}
	for _, d := range []string{ModelsDir, ScoresDir} {
		if err := os.MkdirAll(filepath.Join(out, d), 0o755); err != nil {
			return err
		}
	}
	return atomicfile.WriteFile(filepath.Join(out, markerFile),
		[]byte("Output of `deep4deep demo`: a rerun replaces corpus/, models/ and scores/ here.\n"), 0o644)
}

// scoreSet scores the trials of set s with m and writes the score file.
func scoreSet(ctx context.Context, m *model.Model, c corpus.Corpus, s corpus.Set, trials []corpus.Trial, threads int, path string, report progress.Func) error {
	paths := make([]string, len(trials))
	ids := make([]string, len(trials))
	for i, t := range trials {
		paths[i], ids[i] = c.AudioPath(s, t), t.ID()
	}
	scores, err := m.ScoreFiles(ctx, paths, threads, report)
	if err != nil {
		return fmt.Errorf("%s set: %w", s, err)
	}
	return eval.WriteScores(path, ids, scores)
}

// evaluateFile evaluates a score file against a protocol exactly as
// `deep4deep eval` does.
func evaluateFile(path string, trials []corpus.Trial) (*eval.Result, error) {
	scores, err := eval.ReadScores(path)
	if err != nil {
		return nil, err
	}
	res, err := eval.Evaluate(trials, scores, false)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	// The demo has no ASV system: the t-DCF uses the fixed ASVspoof 5
	// reference operating point (named in the report).
	if err := res.AddTDCF(trials, scores, eval.ASVspoof5Reference); err != nil {
		return nil, fmt.Errorf("%s: t-DCF: %w", path, err)
	}
	return res, nil
}

// setStats counts a set's trials and speakers and sums its audio duration
// from the sizes of its 16-bit mono 16 kHz WAV files (44-byte header, as
// synth writes them).
func setStats(c corpus.Corpus, s corpus.Set, trials []corpus.Trial) (SetStats, error) {
	var st SetStats
	speakers, configs := map[string]bool{}, map[[3]string]bool{}
	for _, t := range trials {
		if t.Label == corpus.Genuine {
			st.Genuine++
		} else {
			st.Spoof++
			configs[[3]string{t.Environment, t.Playback, t.Recorder}] = true
		}
		speakers[t.Speaker] = true
		fi, err := os.Stat(c.AudioPath(s, t))
		if err != nil {
			return st, err
		}
		st.Seconds += float64(fi.Size()-44) / (2 * synth.Rate)
	}
	st.Speakers, st.Configs = len(speakers), len(configs)
	return st, nil
}

// configCounts counts the spoof trials of each replay configuration, most
// frequent first (ties in ID order).
func configCounts(trials []corpus.Trial) []ConfigCount {
	n := map[[3]string]int{}
	for _, t := range trials {
		if t.Label == corpus.Spoof {
			n[[3]string{t.Environment, t.Playback, t.Recorder}]++
		}
	}
	out := make([]ConfigCount, 0, len(n))
	for k, v := range n {
		out = append(out, ConfigCount{k[0], k[1], k[2], v})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.N != b.N {
			return a.N > b.N
		}
		return a.Environment+a.Playback+a.Recorder < b.Environment+b.Playback+b.Recorder
	})
	return out
}

// inputOf says what the network sees of an utterance.
func inputOf(a nn.Arch) string {
	if a.Utterance() {
		return fmt.Sprintf("network %s on the whole utterance (%d parameters)", a.Name, a.NumParams())
	}
	return fmt.Sprintf("%d-frame context images, network %s (%d parameters)", a.InputWidth, a.Name, a.NumParams())
}

// samplesOf says what one epoch draws from each train utterance.
func samplesOf(o train.CNNOptions) string {
	if o.Arch.Utterance() {
		crop := o.CropFrames
		if crop == 0 {
			crop = train.DefaultCropFrames
		}
		return fmt.Sprintf("one random %d-frame crop", crop)
	}
	return frames(o.FramesPerUtt)
}

// cnnTitle is the one-line description of the CNN system.
func cnnTitle(o CNNOptions) string {
	what := map[features.Kind]string{
		features.Fbank: "64-band log-mel filterbank",
		features.CQCC:  "90-dim CQCC (30 constant-Q cepstra, Δ, ΔΔ)",
		features.LFCC:  "60-dim LFCC (20 linear-frequency cepstra, Δ, ΔΔ)",
	}[o.kind()]
	if what == "" {
		what = string(o.kind())
	}
	t := "the seed's 10-layer CNN (DESIGN §4.1) on " + what + " context images"
	if a := o.arch(); a != nn.DefaultArch().Name {
		t = "the " + a + " network (nn/archs) on whole utterances of " + what
	}
	if sp, err := augment.Parse(o.Augment); err == nil && sp.String() != "" {
		t += ", trained with on-the-fly augmentation"
	}
	return t
}

// cnnSettings describes the CNN run for the report, saying what was cut
// from the seed's recipe.
func cnnSettings(o train.CNNOptions, res *train.Result) []string {
	full := train.DefaultCNNOptions()
	var info train.CNNTraining
	if err := json.Unmarshal(res.Model.Config.Training, &info); err != nil {
		info = train.CNNTraining{}
	}
	s := []string{
		fmt.Sprintf("features: %s (%s, a frame every %.0f ms), normalised with train-set mean and deviation; %s",
			o.Features.Kind, featureDims(o.Features), 1000*o.Features.HopSeconds, inputOf(o.Arch)),
		fmt.Sprintf("trained %s × %s per train utterance (a fresh draw each epoch, of %d train frames in all), batch %d, Adam lr %g, seed %d",
			plural(o.Epochs, "epoch"), samplesOf(o), info.TrainFrames, info.Batch, o.LR, o.Seed),
		fmt.Sprintf("best epoch by dev EER (on %s per dev utterance): epoch %d of %d, dev EER %s %%",
			devFrames(o.DevFrames), res.BestEpoch, len(res.Log), pct(res.DevEER)),
	}
	if o.AugmentSpec != "" {
		s = append(s, "on-the-fly augmentation of every train utterance, fresh each epoch: "+o.AugmentSpec+
			" (RawBoost series LnL+ISD, a random loudspeaker and microphone from synth's models, frequency masking; each with its probability)")
	}
	var cut []string
	if o.FramesPerUtt > 0 && !o.Arch.Utterance() {
		cut = append(cut, fmt.Sprintf("%d frames per utterance and epoch instead of every frame", o.FramesPerUtt))
	}
	if o.Epochs < full.Epochs {
		cut = append(cut, fmt.Sprintf("%d epochs instead of up to %d with early stopping", o.Epochs, full.Epochs))
	}
	if len(cut) > 0 {
		s = append(s, "cut for time: "+strings.Join(cut, "; ")+"; scoring uses every frame")
	}
	return s
}

// gmmSettings describes the GMM run for the report, saying what was cut
// from the official baseline.
func gmmSettings(o train.GMMOptions, res *train.Result) []string {
	full := train.DefaultGMMOptions()
	var info train.GMMTraining
	if err := json.Unmarshal(res.Model.Config.Training, &info); err != nil {
		info = train.GMMTraining{}
	}
	g, sp := info.Frames.Genuine, info.Frames.Spoof
	s := []string{
		fmt.Sprintf("features: %s (%s), no normalisation (as the official baseline)", o.Features.Kind, featureDims(o.Features)),
		fmt.Sprintf("%d diagonal Gaussians per class, %s (k-means++ start), on %d genuine and %d spoof train frames, seed %d",
			o.Components, plural(o.Iters, "EM iteration"), g, sp, o.Seed),
		fmt.Sprintf("dev EER at training: %s %%", pct(res.DevEER)),
	}
	var cut []string
	if o.MaxFrames > 0 && (g == o.MaxFrames || sp == o.MaxFrames) {
		cut = append(cut, fmt.Sprintf("EM on a random subsample of %d frames per class instead of all frames", o.MaxFrames))
	}
	if o.Iters < full.Iters {
		cut = append(cut, fmt.Sprintf("%d EM iterations instead of up to %d (until the log-likelihood settles)", o.Iters, full.Iters))
	}
	if o.Components < full.Components {
		cut = append(cut, fmt.Sprintf("%d components instead of %d", o.Components, full.Components))
	}
	if len(cut) > 0 {
		s = append(s, "cut for time: "+strings.Join(cut, "; ")+"; scoring uses every frame")
	}
	return s
}

// featureDims returns "90 dimensions" for the configured extractor, or the
// error text when it cannot be built.
func featureDims(c features.Config) string {
	ex, err := features.New(c)
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("%d dimensions", ex.Dim())
}

// spectrogramFigure draws the fbank spectrograms of a genuine recording and
// of exactly that recording replayed (synth.Pair), with the speaker, phrase
// and replay condition of the first spoof trial of the eval protocol, so
// that the only difference between the panels is the replay channel.
func spectrogramFigure(seed uint64, trials []corpus.Trial, path string, describe func(string) string) (Figure, error) {
	var sp *corpus.Trial
	for i := range trials {
		if trials[i].Label == corpus.Spoof {
			sp = &trials[i]
			break
		}
	}
	if sp == nil {
		return Figure{}, errors.New("spectrogram: the eval set has no spoof trial")
	}
	gen, spoof, err := synth.Pair(seed, sp.Speaker, sp.Phrase, sp.Environment, sp.Playback, sp.Recorder)
	if err != nil {
		return Figure{}, fmt.Errorf("spectrogram: %w", err)
	}
	cfg := features.DefaultConfig(features.Fbank)
	ex, err := features.New(cfg)
	if err != nil {
		return Figure{}, err
	}
	var fg, fs features.Matrix
	if err := ex.Extract(&fg, gen); err != nil {
		return Figure{}, fmt.Errorf("spectrogram: genuine: %w", err)
	}
	if err := ex.Extract(&fs, spoof); err != nil {
		return Figure{}, fmt.Errorf("spectrogram: spoof: %w", err)
	}
	cond := func(id string) string {
		if n := describe(id); n != "" {
			return id + " " + n
		}
		return id
	}
	hop := float64(int(cfg.HopSeconds*float64(cfg.SampleRate)+0.5)) / float64(cfg.SampleRate)
	panels := []plot.SpectrogramPanel{
		{Title: fmt.Sprintf("genuine: speaker %s, phrase %s", sp.Speaker, sp.Phrase), Frames: &fg, Hop: hop, BinLabel: "mel filter"},
		{Title: fmt.Sprintf("spoof: the same recording replayed via %s in %s, recorded by %s",
			cond(sp.Playback), cond(sp.Environment), cond(sp.Recorder)), Frames: &fs, Hop: hop, BinLabel: "mel filter"},
	}
	if err := plot.Spectrogram(path, panels); err != nil {
		return Figure{}, err
	}
	return Figure{File: filepath.Base(path), Caption: fmt.Sprintf(
		"log-mel filterbank of a genuine take and of exactly that take replayed (condition %s %s %s of eval trial %s)",
		sp.Environment, sp.Playback, sp.Recorder, sp.ID())}, nil
}
