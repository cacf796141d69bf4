package features

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// Speech check. A countermeasure in front of a voice login must not call
// silence, noise or a synthetic tone "genuine speech": its scores only mean
// something for speech. SpeechDetector decides, from the seed's log-mel
// filterbank frames (DefaultConfig(Fbank): 64 bands to 8 kHz, 25 ms frames
// every 5 ms), whether an utterance holds speech at all. It is not a voice
// activity detector that segments speech; it is a gate with five tests, each
// aimed at one kind of non-speech and each far from what speech does:
//
//  1. Level. The loudest frame must reach MinPeakDB. Digital silence (every
//     band at log10 eps) and dither-level noise fail.
//  2. Modulation. Speech switches between syllables and pauses, so its frame
//     energy spans tens of dB (95th minus 10th percentile; at least 13.6 dB
//     over the synthetic corpus, noisy replays included). Stationary noise (white:
//     1 dB, pink: 5 dB), steady tones, periodic waveforms and constant-level
//     sweeps span under MinDepthDB.
//  3. Duration. The active frames (above the 10th percentile of frame
//     energy by 10 dB, or by half the distance to the loudest frame if that
//     is less, and above the silence floor) must add up to MinSpeechSeconds.
//  4. Spread. Voiced speech puts its energy into several formants and many
//     harmonics: the effective number of bands of an active frame,
//     exp(entropy of its band-energy distribution), has a median of at least
//     5.2 over the synthetic corpus. A pure or amplitude-modulated tone, a sweep or
//     low-frequency rumble occupies 2 or fewer.
//  5. Articulation. The spectral shape of speech changes from frame to frame
//     (formant transitions): the mean absolute change of the level-removed
//     log spectrum between consecutive active frames has a median of at
//     least 1.46 dB over the synthetic corpus. A periodic waveform, even gated or amplitude-modulated, keeps its
//     shape: under MinShapeFlux.
//
// Inputs that pass all five are "speech". The check costs one fbank pass
// (none when the model's own features are the default fbank) and a few
// operations per band and frame.

// SpeechParams are the thresholds of the speech check (see above).
type SpeechParams struct {
	MinPeakDB        float64 // level of the loudest frame, dB in fbank units (a full-scale 1 kHz sine is +16)
	MinDepthDB       float64 // 95th minus 10th percentile of frame energy, dB
	MinSpeechSeconds float64 // total duration of active frames
	MinBands         float64 // median effective number of bands of active frames
	MinShapeFlux     float64 // median frame-to-frame change of the spectral shape, dB
}

// DefaultSpeechParams returns the thresholds used by scoring: each below the
// lowest value met over all 903 trials of the demo's synthetic corpus
// (scale 0.05, seed 1: loudest frame ≥ −7.4 dB, depth ≥ 13.6 dB, ≥ 0.32 s
// active, bands ≥ 5.2, shape flux ≥ 1.46 dB; DEEP4DEEP_LONG=1 go test
// -run TestSpeechAcceptsSyntheticCorpus) and above the non-speech of
// speech_test.go (stationary noise ≤ 4.5 dB of depth, tones ≤ 2.7 bands,
// periodic waveforms ≤ 0.56 dB of shape flux).
func DefaultSpeechParams() SpeechParams {
	return SpeechParams{MinPeakDB: -45, MinDepthDB: 10, MinSpeechSeconds: 0.2, MinBands: 3.5, MinShapeFlux: 0.9}
}

// Speech is the outcome of the speech check on one utterance.
type Speech struct {
	Speech bool   // the utterance holds speech
	Reason string // why not, in words ("" when Speech)

	PeakDB        float64 // energy of the loudest frame (dB)
	DepthDB       float64 // 95th minus 10th percentile (dB)
	ActiveSeconds float64 // duration of the active frames
	Bands         float64 // median effective number of bands of active frames
	ShapeFlux     float64 // median change of spectral shape between active frames (dB)
}

// SpeechDetector runs the speech check. It keeps its buffers between calls:
// not safe for concurrent use.
type SpeechDetector struct {
	p       SpeechParams
	ex      Extractor
	hop     float64 // seconds per frame
	m       Matrix
	energy  []float64 // per frame, dB
	sorted  []float64
	bands   []float64
	flux    []float64
	shape   []float64 // level-removed log spectrum of the previous active frame
	current []float64
}

// SpeechConfig is the feature configuration the speech check works on: the
// seed's fbank.
func SpeechConfig() Config { return DefaultConfig(Fbank) }

// NewSpeechDetector returns a detector with thresholds p.
func NewSpeechDetector(p SpeechParams) (*SpeechDetector, error) {
	c := SpeechConfig()
	ex, err := New(c)
	if err != nil {
		return nil, err
	}
	return &SpeechDetector{p: p, ex: ex, hop: c.HopSeconds}, nil
}

// Detect checks samples (mono, 16 kHz, full scale ±1) for speech.
func (d *SpeechDetector) Detect(samples []float32) (Speech, error) {
	if err := d.ex.Extract(&d.m, samples); err != nil {
		return Speech{}, err
	}
	return d.DetectFbank(&d.m)
}

// DetectFbank checks the fbank frames m (computed with SpeechConfig) for
// speech. m is not modified.
func (d *SpeechDetector) DetectFbank(m *Matrix) (Speech, error) {
	if m.Cols != d.ex.Dim() {
		return Speech{}, fmt.Errorf("speech check: frames of %d bands, want %d", m.Cols, d.ex.Dim())
	}
	if m.Rows == 0 {
		return Speech{}, errors.New("speech check: no frames")
	}
	d.energy = d.energy[:0]
	for t := 0; t < m.Rows; t++ {
		var s float64
		for _, v := range m.Row(t) {
			s += pow10(float64(v))
		}
		d.energy = append(d.energy, 10*math.Log10(s))
	}
	d.sorted = append(d.sorted[:0], d.energy...)
	slices.Sort(d.sorted)
	pct := func(p float64) float64 { return d.sorted[int(p*float64(len(d.sorted)-1))] }
	floor, peak := pct(0.10), d.sorted[len(d.sorted)-1]
	r := Speech{PeakDB: peak, DepthDB: pct(0.95) - floor}
	p := d.p
	if peak < p.MinPeakDB {
		r.Reason = fmt.Sprintf("silent: loudest frame at %.1f dB, speech needs %.0f", peak, p.MinPeakDB)
		return r, nil
	}

	// Active frames: their duration, the spread of their spectra and the
	// change of their spectral shape.
	thr := max(floor+min(10, (peak-floor)/2), p.MinPeakDB-10)
	nb := m.Cols
	if cap(d.shape) < nb {
		d.shape, d.current = make([]float64, nb), make([]float64, nb)
	}
	d.shape, d.current = d.shape[:nb], d.current[:nb]
	d.bands, d.flux = d.bands[:0], d.flux[:0]
	active, prevActive := 0, false
	for t := 0; t < m.Rows; t++ {
		if d.energy[t] <= thr {
			prevActive = false
			continue
		}
		active++
		row := m.Row(t)
		tot := pow10(d.energy[t] / 10)
		var h, mean float64
		for _, v := range row {
			if q := pow10(float64(v)) / tot; q > 0 {
				h -= q * math.Log(q)
			}
			mean += float64(v)
		}
		d.bands = append(d.bands, math.Exp(h))
		mean /= float64(nb)
		var f float64
		for b, v := range row {
			d.current[b] = 10 * (float64(v) - mean)
			f += math.Abs(d.current[b] - d.shape[b])
		}
		if prevActive {
			d.flux = append(d.flux, f/float64(nb))
		}
		d.shape, d.current = d.current, d.shape
		prevActive = true
	}
	r.ActiveSeconds = float64(active) * d.hop
	r.Bands = median(d.bands)
	r.ShapeFlux = median(d.flux)
	stationary := fmt.Sprintf("stationary: frame energy spans %.1f dB, speech needs %.0f", r.DepthDB, p.MinDepthDB)
	switch {
	case r.DepthDB < p.MinDepthDB && peak-floor < 2*p.MinDepthDB:
		r.Reason = stationary // steady from start to end
	case r.ActiveSeconds < p.MinSpeechSeconds:
		r.Reason = fmt.Sprintf("too short: %.2f s of active frames, speech needs %.2f", r.ActiveSeconds, p.MinSpeechSeconds)
	case r.DepthDB < p.MinDepthDB:
		r.Reason = stationary // with a few louder frames
	case r.Bands < p.MinBands:
		r.Reason = fmt.Sprintf("tonal: energy in %.1f effective bands, speech needs %.1f", r.Bands, p.MinBands)
	case r.ShapeFlux < p.MinShapeFlux:
		r.Reason = fmt.Sprintf("static spectrum: shape changes by %.2f dB per frame, speech needs %.2f", r.ShapeFlux, p.MinShapeFlux)
	default:
		r.Speech = true
	}
	return r, nil
}

// median sorts x in place and returns its median (0 when empty).
func median(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	slices.Sort(x)
	return x[len(x)/2]
}

// pow10 is 10^x as exp(x·ln 10): math.Pow's general path costs about 4× as
// much, and the speech check takes it once per band and frame (it was the
// largest serial cost of predicting one long file). The two differ by an
// ulp or so, far below the check's decibel thresholds.
func pow10(x float64) float64 { return math.Exp(x * math.Ln10) }
