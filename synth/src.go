package synth

import (
	"fmt"
	"math"
	"sync"
)

// Resampler is the sample-rate converter a playback device runs when it
// plays a 16 kHz recording: consumer and professional audio hardware runs
// its converters at 44.1 or 48 kHz, so the 16 kHz file is interpolated
// first. The interpolation filter is a Kaiser-windowed sinc, as in the
// speexdsp resampler (resample.c: quality_map), which these parameters
// copy: Cutoff is the sinc's cut-off as a fraction of the input Nyquist
// frequency ("upsample_bandwidth"), Taps the filter length in input
// samples ("base_length") and Beta the Kaiser window's β (KAISER6 … 12).
//
// In the 0–8 kHz band the chain "interpolate to 48 kHz, play, record,
// decimate back to 16 kHz" multiplies the spectrum by the interpolation
// kernel's frequency response, so that is what the synthesiser applies (a
// linear-phase FIR designed from the kernel). What it leaves is the
// characteristic drop just below 8 kHz that a single recording does not
// have: the twice band-limited signature of a replay.
type Resampler struct {
	Name   string
	Cutoff float64 // sinc cut-off, fraction of the input Nyquist frequency
	Taps   int     // kernel length in input samples
	Beta   float64 // Kaiser window β
}

// SpeexQuality returns the resampler of speexdsp's quality level q (0–10):
// the parameters of its quality_map for up-sampling. Quality 4 is
// speexdsp's default (SPEEX_RESAMPLER_QUALITY_DEFAULT); PulseAudio's
// default method "speex-float-1" is quality 1; quality 10 is its best.
func SpeexQuality(q int) (Resampler, error) {
	// base_length, upsample_bandwidth, Kaiser β, from speexdsp's quality_map.
	table := [11]struct {
		taps   int
		cutoff float64
		beta   float64
	}{
		{8, 0.860, 6}, {16, 0.880, 6}, {32, 0.910, 6}, {48, 0.917, 8}, {64, 0.940, 8},
		{80, 0.940, 10}, {96, 0.945, 10}, {128, 0.950, 10}, {160, 0.960, 10},
		{192, 0.968, 12}, {256, 0.975, 12},
	}
	if q < 0 || q > 10 {
		return Resampler{}, fmt.Errorf("speex resampler quality %d outside 0–10", q)
	}
	e := table[q]
	return Resampler{Name: fmt.Sprintf("speex q%d", q), Cutoff: e.cutoff, Taps: e.taps, Beta: e.beta}, nil
}

// soxHigh is the decimation filter of SoX's default "rate" quality (-h:
// band-width 95 %, i.e. −3 dB at 7.6 kHz for a 16 kHz output, 125 dB
// rejection from the 8 kHz Nyquist frequency, linear phase), written as a
// Kaiser-windowed sinc by Kaiser's design formulas: stop-band edge 8 kHz,
// pass-band edge 7.3 kHz (which puts −3 dB at 7.6 kHz; TestSoXHigh),
// cut-off midway (7.65 kHz = 0.95625 of 8 kHz), β = 0.1102·(125 − 8.7) =
// 12.8, length (125 − 8)/(2.285·2π·700/16000) ≈ 187 taps.
var soxHigh = Resampler{Name: "sox rate -h", Cutoff: 0.95625, Taps: 187, Beta: 12.8}

// SoXHigh returns the resampler of SoX's default "rate" quality (see
// soxHigh); the recording devices that record at 44.1/48 kHz reach the
// corpus's 16 kHz through it.
func SoXHigh() Resampler { return soxHigh }

// speex is SpeexQuality for the built-in tables (q is always valid there).
func speex(q int) Resampler {
	r, err := SpeexQuality(q)
	if err != nil {
		panic(err)
	}
	return r
}

// Response returns the resampler's amplitude response at f Hz (f below the
// 8 kHz Nyquist frequency of the 16 kHz input): the Fourier transform of
// its interpolation kernel k(t) = c·sinc(c·t)·w(2t/N), t in input samples,
// normalised to 1 at 0 Hz. A zero Resampler passes everything.
func (r Resampler) Response(f float64) float64 {
	if r.Taps <= 0 {
		return 1
	}
	k := r.kernel()
	return kernelResponse(k, f)
}

// kernelOversample is the number of kernel samples per input sample used
// to evaluate the continuous kernel's spectrum (the images it aliases are
// ≥ 16·16 kHz away: negligible).
const kernelOversample = 16

// kernel samples k(t) at t = i/kernelOversample for i = 0…N/2·kernelOversample
// (the kernel is even).
func (r Resampler) kernel() []float64 {
	half := r.Taps / 2 * kernelOversample
	k := make([]float64, half+1)
	i0b := besselI0(r.Beta)
	for i := range k {
		t := float64(i) / kernelOversample
		x := 2 * t / float64(r.Taps)
		w := besselI0(r.Beta*math.Sqrt(math.Max(0, 1-x*x))) / i0b
		k[i] = r.Cutoff * sinc(r.Cutoff*t) * w
	}
	return k
}

// kernelResponse is the normalised cosine transform of the even kernel k
// sampled kernelOversample times per 16 kHz input sample.
func kernelResponse(k []float64, f float64) float64 {
	w := 2 * math.Pi * f / (Rate * kernelOversample)
	h, dc := k[0], k[0]
	for i := 1; i < len(k); i++ {
		h += 2 * k[i] * math.Cos(w*float64(i))
		dc += 2 * k[i]
	}
	return h / dc
}

// srcTaps is the length of the 16 kHz FIR that stands for a resampler:
// long enough for speex q10's 256-tap kernel and its sharp transition.
const srcTaps = 511

// fir returns the linear-phase FIR (srcTaps taps, centre tap srcTaps/2)
// whose amplitude response at 16 kHz follows Response on 0–8 kHz: the
// inverse transform of the response sampled on a 4,096-point grid,
// Hann-tapered.
func (r Resampler) fir() []float64 {
	const grid = 4096
	k := r.kernel()
	resp := make([]float64, grid/2+1)
	for j := range resp {
		resp[j] = kernelResponse(k, float64(j)*Rate/grid)
	}
	h := make([]float64, srcTaps)
	c := srcTaps / 2
	for n := range h {
		m := float64(n - c)
		var s float64
		for j, v := range resp {
			a := v * math.Cos(2*math.Pi*float64(j)*m/grid)
			if j == 0 || j == grid/2 {
				a /= 2
			}
			s += a
		}
		taper := 0.5 + 0.5*math.Cos(math.Pi*m/float64(c+1))
		h[n] = 2 * s / grid * taper
	}
	return h
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// besselI0 is the modified Bessel function of the first kind, order 0
// (power series; converges fast for the β ≤ 12 used here).
func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	q := x * x / 4
	for k := 1; k < 100; k++ {
		term *= q / float64(k*k)
		sum += term
		if term < 1e-17*sum {
			break
		}
	}
	return sum
}

// firCache memoises Resampler.fir, a pure function of its (comparable)
// argument that costs tens of milliseconds: every Renderer of the process
// shares the designs. It holds no state that could change a result.
var firCache sync.Map // Resampler → []float64 (read-only once stored)

// resample applies the resampler r to x in place (time-aligned: the FIR's
// delay is removed).
func (c *channel) resample(x []float64, r Resampler) {
	if r.Taps <= 0 || len(x) == 0 {
		return
	}
	v, ok := firCache.Load(r)
	if !ok {
		v, _ = firCache.LoadOrStore(r, r.fir())
	}
	h := v.([]float64)
	d := len(h) / 2
	n := len(x)
	c.tmp = grow(c.tmp, n+d)
	y := c.tmp[:n+d]
	copy(y, x)
	clear(y[n:])
	c.conv.convolve(y, h)
	copy(x, y[d:])
}
