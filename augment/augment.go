// Package augment perturbs training audio so that a replay detector learns
// what replay does to speech rather than the few recording chains of its
// training set. Every transform draws its parameters from a *rand.Rand the
// caller seeds, so an augmented epoch is reproducible bit for bit (and a
// resumed training run sees the same data as an uninterrupted one).
//
// The transforms, applied to the 16 kHz waveform before feature extraction
// (except freqmask, which masks the feature image):
//
//   - rawboost:N — RawBoost (Tak et al., ICASSP 2022) with its published
//     default parameters: algorithm N of the reference code, 1 LnL
//     (convolutive noise from a sum of randomly notch-filtered powers of the
//     signal), 2 ISD (impulsive signal-dependent noise on up to 10 % of the
//     samples), 3 SSI (coloured stationary noise at 10–40 dB SNR), 4–7 the
//     series combinations 1+2+3, 1+2, 1+3, 2+3, and 8 LnL ∥ ISD in parallel;
//   - room — a room response and background noise drawn fresh from the
//     synth package's room model (RT60, size, distance, noise kind, SNR);
//   - device — a loudspeaker and a microphone drawn fresh from the synth
//     package's transducer models (band limits, resonances, distortion,
//     self-noise, AGC): a random replay chain;
//   - bandlimit — a random band pass, high-pass 20–400 Hz and low-pass
//     3–8 kHz (a 127-tap Hamming FIR);
//   - noise — one of synth's background noises at 5–40 dB SNR;
//   - gain — a gain of −12…+6 dB;
//   - highpass — a Butterworth high-pass of order 2 or 4 with its cut-off
//     log-uniform in 20–600 Hz, on genuine and spoof alike: the train
//     set's replays come through small loudspeakers that cut the low
//     frequencies, and this makes "no bass" stop meaning "replay", so that
//     a detector must use cues that hi-fi replay chains share as well
//     (the converters' band edge, distortion, the second room);
//   - freqmask:F — SpecAugment's frequency masking: up to F consecutive
//     feature bins (default 8) set to 0, the normalised mean.
//
// A spec lists transforms separated by commas, each optionally with an
// argument after ':' and a probability after '@' (default 1): for example
// "rawboost:5@0.5,device@0.3,freqmask:8". Transforms run in the order
// given; "none" or "" is no augmentation.
package augment

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/deep4deep/deep4deep/features"
	"github.com/deep4deep/deep4deep/synth"
)

// Rate is the sample rate the waveform transforms work at (Hz).
const Rate = 16000

// kind is one transform.
type kind int

const (
	kRawBoost kind = iota
	kRoom
	kDevice
	kBandLimit
	kNoise
	kGain
	kFreqMask
	kHighPass
)

var kindNames = [...]string{"rawboost", "room", "device", "bandlimit", "noise", "gain", "freqmask", "highpass"}

// step is one parsed transform of a spec.
type step struct {
	kind kind
	arg  int     // rawboost: algorithm; freqmask: max width
	p    float64 // probability of applying it to an utterance
}

// Spec is a parsed augmentation spec (see the package doc). The zero Spec
// does nothing.
type Spec struct {
	steps []step
}

// Parse parses a spec. Errors name the item that is wrong.
func Parse(s string) (Spec, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "none" {
		return Spec{}, nil
	}
	var sp Spec
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		st := step{p: 1}
		name := item
		if i := strings.IndexByte(name, '@'); i >= 0 {
			p, err := strconv.ParseFloat(name[i+1:], 64)
			if err != nil || !(p >= 0 && p <= 1) {
				return Spec{}, fmt.Errorf("augmentation %q: probability %q is not a number in [0, 1]", item, name[i+1:])
			}
			st.p, name = p, name[:i]
		}
		arg := ""
		if i := strings.IndexByte(name, ':'); i >= 0 {
			name, arg = name[:i], name[i+1:]
		}
		found := false
		for k, n := range kindNames {
			if n == name {
				st.kind, found = kind(k), true
			}
		}
		if !found {
			return Spec{}, fmt.Errorf("augmentation %q: unknown transform %q (want one of %s)", item, name, strings.Join(kindNames[:], ", "))
		}
		switch st.kind {
		case kRawBoost:
			st.arg = AlgoSeries12 // the paper's best single configuration on ASVspoof 2021 LA
			if arg != "" {
				a, err := strconv.Atoi(arg)
				if err != nil || a < 1 || a > numRawBoostAlgo {
					return Spec{}, fmt.Errorf("augmentation %q: RawBoost algorithm %q is not 1…8", item, arg)
				}
				st.arg = a
			}
		case kFreqMask:
			st.arg = 8
			if arg != "" {
				a, err := strconv.Atoi(arg)
				if err != nil || a < 1 || a > 1000 {
					return Spec{}, fmt.Errorf("augmentation %q: mask width %q is not 1…1000 bins", item, arg)
				}
				st.arg = a
			}
		default:
			if arg != "" {
				return Spec{}, fmt.Errorf("augmentation %q: %s takes no argument", item, name)
			}
		}
		sp.steps = append(sp.steps, st)
	}
	return sp, nil
}

// String returns the spec in canonical form (every argument and
// probability written out), which Parse reads back to the same Spec; ""
// for no augmentation.
func (sp Spec) String() string {
	var parts []string
	for _, st := range sp.steps {
		s := kindNames[st.kind]
		if st.kind == kRawBoost || st.kind == kFreqMask {
			s += ":" + strconv.Itoa(st.arg)
		}
		s += "@" + strconv.FormatFloat(st.p, 'g', -1, 64)
		parts = append(parts, s)
	}
	return strings.Join(parts, ",")
}

// Waveform reports whether the spec has any waveform transform (which
// makes the features of every utterance differ from epoch to epoch).
func (sp Spec) Waveform() bool {
	for _, st := range sp.steps {
		if st.kind != kFreqMask {
			return true
		}
	}
	return false
}

// Features reports whether the spec masks feature images.
func (sp Spec) Features() bool {
	for _, st := range sp.steps {
		if st.kind == kFreqMask {
			return true
		}
	}
	return false
}

// RNG returns the generator of one utterance's augmentation in one epoch:
// a PCG stream keyed by (seed, epoch, utterance), independent of the order
// and the goroutine in which utterances are processed.
func RNG(seed uint64, epoch, utt int) *rand.Rand {
	return rand.New(rand.NewPCG(seed^0x6a09e667f3bcc909, uint64(epoch)<<32^uint64(utt)^0xbb67ae8584caa73b))
}

// Augmenter applies a Spec. It holds scratch buffers: use one per
// goroutine.
type Augmenter struct {
	spec    Spec
	changed bool // the last Waveform call applied a transform
	rb      RawBoost
	st      rbState
	ch      synth.Channel
	x       []float64
	y       []float64
	out     []float32
	fir     []float64
}

// New returns an Augmenter for spec with RawBoost's default parameters.
func New(spec Spec) *Augmenter {
	return &Augmenter{spec: spec, rb: DefaultRawBoost()}
}

// Waveform returns the augmented copy of x (16 kHz samples; x is not
// modified). The result is valid until the next call. Each transform of the
// spec is applied with its probability; all draws come from r.
func (a *Augmenter) Waveform(r *rand.Rand, x []float32) []float32 {
	a.changed = false
	a.x = growF(a.x, len(x))
	for i, v := range x {
		a.x[i] = float64(v)
	}
	for _, st := range a.spec.steps {
		if st.kind == kFreqMask {
			continue
		}
		// Draw the coin even when p is 1, so that changing one transform's
		// probability does not shift the others' random streams.
		if r.Float64() >= st.p || len(x) == 0 {
			continue
		}
		a.apply(r, st, a.x)
		a.changed = true
	}
	a.out = a.out[:0]
	for _, v := range a.x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			v = 0
		}
		a.out = append(a.out, float32(v))
	}
	return a.out
}

// Changed reports whether the last Waveform call applied any transform
// (when it did not, its result equals its input sample for sample).
func (a *Augmenter) Changed() bool { return a.changed }

// level returns the peak magnitude of x.
func level(x []float64) float64 {
	p := 0.0
	for _, v := range x {
		if a := math.Abs(v); a > p { // not math.Max: its NaN and ±0 rules make it 5× slower here
			p = a
		}
	}
	return p
}

// rescale scales x to peak magnitude peak (nothing when x is silent).
func rescale(x []float64, peak float64) {
	if l := level(x); l > 0 && peak > 0 {
		g := peak / l
		for i := range x {
			x[i] *= g
		}
	}
}

func (a *Augmenter) apply(r *rand.Rand, st step, x []float64) {
	switch st.kind {
	case kRawBoost:
		a.st.apply(r, &a.rb, st.arg, x, Rate)
	case kRoom:
		peak := level(x)
		a.ch.Room(r, x, synth.RandomEnvironment(r))
		rescale(x, peak)
	case kDevice:
		peak := level(x)
		ls, mic := synth.RandomLoudspeaker(r), synth.RandomMicrophone(r)
		a.ch.Play(x, ls)
		a.ch.Record(r, x, mic)
		rescale(x, peak)
	case kBandLimit:
		lo := 20 * math.Exp(r.Float64()*math.Log(400.0/20))
		hi := uniformRange(r, 3000, 7990)
		a.fir = firwin(a.fir, 127, []float64{lo, hi}, Rate, false)
		a.y = growF(a.y, len(x))
		filterFIR(a.y, x, a.fir)
		copy(x, a.y)
	case kNoise:
		a.ch.Noise(r, x, synth.NoiseKind(r.IntN(int(synth.NoiseHum)+1)), uniformRange(r, 5, 40))
	case kHighPass:
		fc := 20 * math.Exp(r.Float64()*math.Log(600.0/20))
		qs := butterQ2
		if r.IntN(2) == 1 {
			qs = butterQ4
		}
		for _, q := range qs {
			highPassBiquad(x, fc, q, Rate)
		}
	case kGain:
		g := math.Pow(10, uniformRange(r, -12, 6)/20)
		for i := range x {
			x[i] *= g
		}
	}
}

// FeatureMask applies the spec's feature transforms (frequency masking) to
// the normalised feature matrix m in place, drawing from r: for each
// freqmask step taken, a width w uniform in 0…F (at most the number of
// columns) and a first bin uniform in 0…cols−w, and that band of every
// frame set to 0.
func (a *Augmenter) FeatureMask(r *rand.Rand, m *features.Matrix) {
	for _, st := range a.spec.steps {
		if st.kind != kFreqMask {
			continue
		}
		if r.Float64() >= st.p || m.Cols == 0 {
			continue
		}
		w := r.IntN(min(st.arg, m.Cols) + 1)
		f0 := r.IntN(m.Cols - w + 1)
		for t := range m.Rows {
			clear(m.Data[t*m.Cols+f0 : t*m.Cols+f0+w])
		}
	}
}

// The quality factors of the second-order sections of a Butterworth filter:
// order 2 is one section with Q = 1/√2; order 4 two with
// Q = 1/(2 cos(π/8)) and 1/(2 cos(3π/8)).
var (
	butterQ2 = []float64{1 / math.Sqrt2}
	butterQ4 = []float64{1 / (2 * math.Cos(math.Pi/8)), 1 / (2 * math.Cos(3*math.Pi/8))}
)

// highPassBiquad filters x in place by a second-order high-pass section
// with cut-off fc (Hz) and quality q, designed by the bilinear transform
// (the Audio EQ Cookbook's HPF): with w0 = 2π·fc/fs, α = sin w0 / (2q),
//
//	b = (1+cos w0)/2 · [1, −2, 1],  a = [1+α, −2 cos w0, 1−α],
//
// run as a transposed direct form II.
func highPassBiquad(x []float64, fc, q, fs float64) {
	w0 := 2 * math.Pi * fc / fs
	cw, alpha := math.Cos(w0), math.Sin(w0)/(2*q)
	a0 := 1 + alpha
	b0 := (1 + cw) / 2 / a0
	b1, b2 := -2*b0, b0
	a1, a2 := -2*cw/a0, (1-alpha)/a0
	var z1, z2 float64
	for i, v := range x {
		y := b0*v + z1
		z1 = b1*v - a1*y + z2
		z2 = b2*v - a2*y
		x[i] = y
	}
}
