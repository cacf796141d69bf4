package features

import "golang.org/x/sys/cpu"

// useAVX2 selects the assembly kernels (framefft_amd64.s); the Go versions
// compute the same without fused multiply-adds, so results differ only in
// the last bits.
var useAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

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

func difStage(re, im, wr, wi []float64, h int) {
	if useAVX2 {
		difStageAVX2(re, im, wr, wi, h)
		return
	}
	difStageGo(re, im, wr, wi, h)
}

func unpackPairs(pw, zr, zi []float64, idx []int, tab []float64, ks []int, m int) {
	if useAVX2 {
		unpackAVX2(pw, zr, zi, idx, tab, ks, m)
		return
	}
	unpackPairsGo(pw, zr, zi, idx, tab, ks, m)
}

func twist(sr, si, x, tr, ti []float64) {
	if useAVX2 {
		twistAVX2(sr, si, x, tr, ti)
		return
	}
	twistGo(sr, si, x, tr, ti)
}

func (f *laneFilters) apply(e, p []float64) {
	if useAVX2 {
		filterAVX2(e, p, f.w, f.start, f.n)
		return
	}
	f.applyGo(e, p)
}

//go:noescape
func difLast2AVX2(re, im []float64)

func difLast2(re, im []float64) {
	if useAVX2 {
		difLast2AVX2(re, im)
		return
	}
	difLast2Go(re, im)
}

//go:noescape
func dif4StageAVX2(re, im, tw []float64, quarter int)

func dif4Stage(re, im, tw []float64, g int) {
	if useAVX2 {
		dif4StageAVX2(re, im, tw, g)
		return
	}
	dif4StageGo(re, im, tw, g)
}

//go:noescape
func log10AVX2(dst []float32, src []float64)

// log10Floors sets dst[i] = log10(src[i]) with exact zeros replaced by eps
// (see log10Floor); len(src) is a multiple of lanes.
func log10Floors(dst []float32, src []float64) {
	if useAVX2 {
		log10AVX2(dst, src)
		return
	}
	log10Floor(dst, src)
}

//go:noescape
func twistDif4AVX2(sr, si, x, tr, ti, tw []float64, quarter, j3, plain int)

// twistDif4 is twistDif4Go; plain says the twist is the identity (r = 0),
// which the kernel then skips (bit-for-bit the same result).
func twistDif4(sr, si, x, tr, ti, tw []float64, g, j3 int, plain bool) {
	if useAVX2 {
		p := 0
		if plain {
			p = 1
		}
		twistDif4AVX2(sr, si, x, tr, ti, tw, g, j3, p)
		return
	}
	twistDif4Go(sr, si, x, tr, ti, tw, g)
}

//go:noescape
func windowAVX2(xb []float64, x []float32, w []float64, hop int)

// windowLanes sets xb[lanes·i + l] = float64(x[l·hop + i])·w[i] for i <
// len(w), l < lanes: lanes frames hop apart, windowed and transposed into
// the lanes. x holds at least (lanes−1)·hop + len(w) samples.
func windowLanes(xb []float64, x []float32, w []float64, hop int) {
	n := len(w) &^ 3
	if useAVX2 && n > 0 && (lanes-1)*hop+len(w) <= len(x) && lanes*len(w) <= len(xb) {
		windowAVX2(xb, x, w[:n], hop)
		if n == len(w) {
			return
		}
	} else {
		n = 0
	}
	windowLanesGo(xb[lanes*n:], x[n:], w[n:], hop)
}
