package features

import "github.com/deep4deep/deep4deep/internal/simd"

// The kernels of the batched fbank/mfcc/spec path — windowing four frames
// into lanes, the frame FFT's passes, the lane filterbank and the floored
// log10 — exist as one plain-Go reference set and, on amd64, one AVX2+FMA
// assembly set. The pattern is the one of the standard library's hash/crc32
// (and of package nn): a kernelSet value per implementation, the best set
// the CPU supports chosen once at start-up (defaultKernels) and never
// changed afterwards, every extractor holding the set it runs, and tests
// that run every supported set against the Go reference (kernels_test.go)
// and skip, by name, the sets this CPU lacks. -tags purego and -tags
// d4dcheck build no assembly at all, so the Go reference runs, with Go's
// bounds checks (the d4dcheck build is for debugging an out-of-range access
// that assembly would make silently).

// kernelSet is one implementation of the batched kernels. Lengths are the
// callers' responsibility (see each Go version for the contract).
type kernelSet struct {
	name string

	// window sets xb[lanes·i + l] = float64(x[l·hop + i])·w[i] (windowLanesGo).
	window func(xb []float64, x []float32, w []float64, hop int)
	// twist, twistDif4, difStage, dif4Stage, difLast2 and unpackPairs are
	// the passes of frameFFT (the *Go functions in framefft.go).
	twist       func(sr, si, x, tr, ti []float64)
	twistDif4   func(sr, si, x, tr, ti, tw []float64, g, j3 int, plain bool)
	difStage    func(re, im, wr, wi []float64, h int)
	dif4Stage   func(re, im, tw []float64, g int)
	difLast2    func(re, im []float64)
	unpackPairs func(pw, zr, zi []float64, idx []int, tab []float64, ks []int, m int)
	// filter applies a lane filterbank (laneFilters.applyGo).
	filter func(f *laneFilters, e, p []float64)
	// log10 sets dst[i] = log10(src[i]) with exact zeros floored to eps
	// (log10Floor).
	log10 func(dst []float32, src []float64)
	// synthStage is one stage of the CQT's inverse FFT, half-size h a
	// multiple of 8 (synthStageGo).
	synthStage func(re, im, wr, wi []float32, h int)
	// projectBins is the CQCC's cepstral projection (projectBinsGo).
	projectBins func(out, proj []float64, logP []float32, nceps, k, nf int)
	// logPowers is the CQT's log power of one bin's coefficients
	// (logPowers).
	logPowers func(dst []float32, re, im []float32, scale float64)
}

// goKernels is the reference: plain Go, on every architecture.
var goKernels = kernelSet{
	name:   "go",
	window: windowLanesGo,
	twist:  twistGo,
	twistDif4: func(sr, si, x, tr, ti, tw []float64, g, _ int, _ bool) {
		twistDif4Go(sr, si, x, tr, ti, tw, g)
	},
	difStage:    difStageGo,
	dif4Stage:   dif4StageGo,
	difLast2:    difLast2Go,
	unpackPairs: unpackPairsGo,
	filter:      (*laneFilters).applyGo,
	log10:       log10Floor,
	synthStage:  synthStageGo,
	projectBins: projectBinsGo,
	logPowers:   logPowers,
}

// archSet is an assembly kernel set with whether this CPU supports it
// (internal/simd: the project's one dispatch pattern).
type archSet = simd.Set[*kernelSet]

// defaultKernels is the kernel set extractors use: chosen once, at
// start-up, by CPU feature.
var defaultKernels = bestKernels()

// bestKernels returns the last (fastest) supported assembly set, or the Go
// reference.
func bestKernels() *kernelSet { return simd.Best(&goKernels, archKernels()) }
