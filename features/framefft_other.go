//go:build !amd64

package features

func difStage(re, im, wr, wi []float64, h int) { difStageGo(re, im, wr, wi, h) }

func unpackPairs(pw, zr, zi []float64, idx []int, tab []float64, ks []int, m int) {
	unpackPairsGo(pw, zr, zi, idx, tab, ks, m)
}

func twist(sr, si, x, tr, ti []float64) { twistGo(sr, si, x, tr, ti) }

func (f *laneFilters) apply(e, p []float64) { f.applyGo(e, p) }

func difLast2(re, im []float64) { difLast2Go(re, im) }

// useAVX2 is false off amd64: the Go kernels run.
var useAVX2 = false

func dif4Stage(re, im, tw []float64, g int) { dif4StageGo(re, im, tw, g) }

func log10Floors(dst []float32, src []float64) { log10Floor(dst, src) }

func twistDif4(sr, si, x, tr, ti, tw []float64, g, _ int, _ bool) {
	twistDif4Go(sr, si, x, tr, ti, tw, g)
}

func windowLanes(xb []float64, x []float32, w []float64, hop int) { windowLanesGo(xb, x, w, hop) }
