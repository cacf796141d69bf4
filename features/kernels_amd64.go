//go:build amd64 && !purego && !d4dcheck

package features

import (
	"math"

	"golang.org/x/sys/cpu"
)

// avx2Kernels is the kernel set in AVX2+FMA assembly (kernels_amd64.s).
// Its results differ from the Go reference's only in the last bits (fused
// multiply-adds); the fbank test shows both bit-for-bit equal to the seed's
// outputs.
var avx2Kernels = kernelSet{
	name:        "avx2",
	window:      windowLanesAVX2,
	twist:       twistAVX2,
	twistDif4:   twistDif4AVX2Plain,
	difStage:    difStageAVX2,
	dif4Stage:   dif4StageAVX2,
	difLast2:    difLast2AVX2,
	unpackPairs: unpackAVX2,
	filter:      func(f *laneFilters, e, p []float64) { filterAVX2(e, p, f.w, f.start, f.n) },
	log10:       log10AVX2,
	synthStage:  synthStageAVX2,
	projectBins: projectBinsAVX2,
	logPowers:   logPowersAVX2,
}

// archKernels lists the assembly kernel sets of this architecture, fastest
// last, each with whether this CPU can run it.
func archKernels() []archSet {
	return []archSet{{Kernels: &avx2Kernels, Supported: cpu.X86.HasAVX2 && cpu.X86.HasFMA, Needs: "AVX2+FMA"}}
}

// The kernels below treat one 4-lane value as one YMM register; see the Go
// versions for the maths. Lengths are the callers' responsibility.

//go:noescape
func difStageAVX2(re, im, wr, wi []float64, h int)

//go:noescape
func unpackAVX2(pw, zr, zi []float64, idx []int, tab []float64, ks []int, m int)

//go:noescape
func twistAVX2(sr, si, x, tr, ti []float64)

//go:noescape
func filterAVX2(e, p, w []float64, start, n []int)

//go:noescape
func difLast2AVX2(re, im []float64)

//go:noescape
func dif4StageAVX2(re, im, tw []float64, quarter int)

//go:noescape
func log10AVX2(dst []float32, src []float64)

//go:noescape
func synthStageAVX2(re, im, wr, wi []float32, h int)

//go:noescape
func logPowers4AVX2(dst []float32, re, im []float32, scale float64, tab *[18][4]uint64)

// logPowerTab holds logPowers4AVX2's constants, each repeated over the four
// lanes of a YMM register: eps, 1, ln 2, 2^52 + 1023 (as float64), the bits
// 0x3ff0000000000000 − √½, 2^52 − 1, √½ and 0x4330000000000000 (the float64
// 2^52, whose low bits an exponent ORed in turns into 2^52 + e exactly), then
// logPowerPoly.
var logPowerTab = func() (t [18][4]uint64) {
	const sqrtHalf = 0x3fe6a09e667f3bcd
	row := []uint64{math.Float64bits(eps), math.Float64bits(1), math.Float64bits(math.Ln2), math.Float64bits(1<<52 + 1023),
		0x3ff0000000000000 - sqrtHalf, 1<<52 - 1, sqrtHalf, 0x4330000000000000}
	for _, c := range logPowerPoly {
		row = append(row, math.Float64bits(c))
	}
	for i, v := range row {
		t[i] = [4]uint64{v, v, v, v}
	}
	return t
}()

// logPowersAVX2 is logPowers with the assembly on the multiple of 4 of the
// values and Go on the rest.
func logPowersAVX2(dst []float32, re, im []float32, scale float64) {
	n := len(re) &^ 3
	if n > 0 {
		logPowers4AVX2(dst[:n], re[:n], im[:n], scale, &logPowerTab)
	}
	logPowers(dst[n:], re[n:], im[n:], scale)
}

//go:noescape
func projectAVX2(out, proj []float64, logP []float32, pairs, k, nf, m8 int)

// projectBinsAVX2 is projectBinsGo with the assembly on pairs of
// coefficients × eight frames and Go on the rest (the last frames, an odd
// last coefficient); every sum is the same sequence of rounded operations.
func projectBinsAVX2(out, proj []float64, logP []float32, nceps, k, nf int) {
	pairs, m8 := nceps/2, nf&^7
	if k == 0 || pairs == 0 || m8 == 0 {
		projectBinsGo(out, proj, logP, nceps, k, nf)
		return
	}
	projectAVX2(out, proj, logP, pairs, k, nf, m8)
	projectRange(out, proj, logP, k, nf, 0, 2*pairs, m8, nf)
	projectRange(out, proj, logP, k, nf, 2*pairs, nceps, 0, nf)
}

//go:noescape
func twistDif4AVX2(sr, si, x, tr, ti, tw []float64, quarter, j3, plain int)

// twistDif4AVX2Plain passes plain (the twist is the identity, r = 0,
// which the kernel then skips: bit-for-bit the same result) as an int.
func twistDif4AVX2Plain(sr, si, x, tr, ti, tw []float64, g, j3 int, plain bool) {
	p := 0
	if plain {
		p = 1
	}
	twistDif4AVX2(sr, si, x, tr, ti, tw, g, j3, p)
}

//go:noescape
func windowAVX2(xb []float64, x []float32, w []float64, hop int)

// windowLanesAVX2 is windowLanesGo with the assembly on the multiple of 4
// of the window and Go on the rest.
func windowLanesAVX2(xb []float64, x []float32, w []float64, hop int) {
	n := len(w) &^ 3
	if n > 0 && (lanes-1)*hop+len(w) <= len(x) && lanes*len(w) <= len(xb) {
		windowAVX2(xb, x, w[:n], hop)
		if n == len(w) {
			return
		}
	} else {
		n = 0
	}
	windowLanesGo(xb[lanes*n:], x[n:], w[n:], hop)
}
