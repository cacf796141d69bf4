package nn

import (
	"math"
	"unsafe"
)

// Element-wise batch-norm passes over n values (n a multiple of 8 for the
// assembly versions; the wrappers below do any tail in Go). Results go to
// out, which the callers keep per channel so that nothing escapes.
type elemKernels struct {
	// out[0] = Σ (y−first)·m, out[1] = Σ ((y−first)·m)²
	bnStats func(y, m *float32, n int, first float32, out *float32)
	// dst = max(y·scale + shift, 0)·m
	bnApply func(dst, y, m *float32, n int, scale, shift float32)
	// g = da·[a > 0]; out[0] = Σ g, out[1] = Σ g·(y − mf)
	bnGrad1 func(g, da, a, y *float32, n int, mf float32, out *float32)
	// g = (alpha·g + beta + gam·y)·m; out[0] = Σ g
	bnGrad2 func(g, y, m *float32, n int, alpha, beta, gam float32, out *float32)
	// one Adam step (see adamGo)
	adam func(p, g, m, v *float32, n int, c *float32)
	// 2×1 max pool of rows row pairs of wp ≥ 8 values (see pool2x1Go)
	pool2x1 func(dst, src *float32, rows, wp int)
	// 2×2 max pool of rows row pairs, wout = 2 or ≥ 4 (see pool2x2Go)
	pool2x2 func(dst, src *float32, rows, wout, wpi, wpo int)
	// 2×1 max pool with argmax of rows row pairs, w ≥ 8 (see pool2x1ArgGo)
	pool2x1Arg func(dst *float32, arg *int32, src *float32, rows, w, wp, q0 int)
	// 2×2 max pool with argmax, w = 2 or ≥ 4 (see pool2x2ArgGo)
	pool2x2Arg func(dst *float32, arg *int32, src *float32, rows, w, wpi, wpo, q0 int)
}

var goElem = elemKernels{bnStatsGo, bnApplyGo, bnGrad1Go, bnGrad2Go, adamGo, pool2x1Go, pool2x2Go, pool2x1ArgGo, pool2x2ArgGo}

// pool2x2ArgGo is the training 2×2 max pool of one image: for r < rows,
// j < w, dst[r·wpo + j] is the maximum of the window src[2r·wpi + 2j + {0,
// 1}], src[(2r+1)·wpi + 2j + {0, 1}] and arg[r·w + j] = q0 + the index of
// its first maximum in row-major window order (as in PyTorch; ReLU inputs,
// so the bit patterns order like the values). Only the w outputs of a row
// are written.
func pool2x2ArgGo(dst *float32, arg *int32, src *float32, rows, w, wpi, wpo, q0 int) {
	if rows == 0 {
		return
	}
	ds, as, ss := unsafe.Slice(dst, (rows-1)*wpo+w), unsafe.Slice(arg, rows*w), unsafe.Slice(src, (2*rows-1)*wpi+2*w)
	for r := 0; r < rows; r++ {
		out, ar := ds[r*wpo:r*wpo+w], as[r*w:(r+1)*w]
		for j := range out {
			q := 2*r*wpi + 2*j
			v, bq := int32(math.Float32bits(ss[q])), q
			for _, c := range [3]int{q + 1, q + wpi, q + wpi + 1} {
				if b := int32(math.Float32bits(ss[c])); b > v {
					v, bq = b, c
				}
			}
			out[j] = math.Float32frombits(uint32(v))
			ar[j] = int32(q0 + bq)
		}
	}
}

// pool2x1ArgGo is the training 2×1 max pool of one image: for r < rows,
// j < w, with a = src[2r·wp + j] and b = src[(2r+1)·wp + j],
// dst[r·wp + j] = max(a, b) and arg[r·w + j] = q0 + 2r·wp + j, plus wp if
// b > a (the first maximum wins ties, as in PyTorch; ReLU inputs, so the
// bit patterns order like the values). Only the w outputs of a row are
// written.
func pool2x1ArgGo(dst *float32, arg *int32, src *float32, rows, w, wp, q0 int) {
	if rows == 0 {
		return
	}
	ds, as, ss := unsafe.Slice(dst, (rows-1)*wp+w), unsafe.Slice(arg, rows*w), unsafe.Slice(src, (2*rows-1)*wp+w)
	wp32 := int32(wp)
	for r := 0; r < rows; r++ {
		out, ar := ds[r*wp:r*wp+w], as[r*w:(r+1)*w]
		r0, r1 := ss[2*r*wp:2*r*wp+w], ss[(2*r+1)*wp:(2*r+1)*wp+w]
		q := int32(q0 + 2*r*wp)
		for j := range out {
			b0, b1 := int32(math.Float32bits(r0[j])), int32(math.Float32bits(r1[j]))
			t := (b0 - b1) >> 31
			out[j] = math.Float32frombits(uint32(b0 + (b1-b0)&t))
			ar[j] = q + int32(j) + wp32&t
		}
	}
}

// pool2x1Go: dst[r·wp + j] = max(src[2r·wp + j], src[(2r+1)·wp + j]) for
// r < rows, j < wp: the inference 2×1 max pool of one image, pad column
// included (the inputs are ReLU outputs, ≥ 0, so their bit patterns order
// like the values: a branch-free max).
// pool2x2Go: dst[r·wpo + j] = max(src[2r·wpi + 2j + {0, 1}],
// src[(2r+1)·wpi + 2j + {0, 1}]) for r < rows, j < wout: the inference 2×2
// max pool of one image (ReLU inputs: the bit patterns order like the
// values). Only the wout outputs of each row are written.
func pool2x2Go(dst, src *float32, rows, wout, wpi, wpo int) {
	if rows == 0 {
		return
	}
	ds, ss := unsafe.Slice(dst, (rows-1)*wpo+wout), unsafe.Slice(src, (2*rows-1)*wpi+2*wout)
	for r := 0; r < rows; r++ {
		out := ds[r*wpo : r*wpo+wout]
		r0, r1 := ss[2*r*wpi:2*r*wpi+2*wout], ss[(2*r+1)*wpi:(2*r+1)*wpi+2*wout]
		for j := range out {
			b := max(int32(math.Float32bits(r0[2*j])), int32(math.Float32bits(r0[2*j+1])),
				int32(math.Float32bits(r1[2*j])), int32(math.Float32bits(r1[2*j+1])))
			out[j] = math.Float32frombits(uint32(b))
		}
	}
}

func pool2x1Go(dst, src *float32, rows, wp int) {
	ds, ss := unsafe.Slice(dst, rows*wp), unsafe.Slice(src, 2*rows*wp)
	for r := 0; r < rows; r++ {
		out := ds[r*wp : (r+1)*wp]
		r0, r1 := ss[2*r*wp:(2*r+1)*wp], ss[(2*r+1)*wp:(2*r+2)*wp]
		for j := range out {
			b0, b1 := int32(math.Float32bits(r0[j])), int32(math.Float32bits(r1[j]))
			t := (b0 - b1) >> 31
			out[j] = math.Float32frombits(uint32(b0 + (b1-b0)&t))
		}
	}
}

// adamGo: with c = [β₁, 1−β₁, β₂, 1−β₂, step size, √(1−β₂ᵗ), ε],
// m = β₁m + (1−β₁)g, v = β₂v + (1−β₂)g², p −= step·m / (√v/√(1−β₂ᵗ) + ε).
func adamGo(p, g, m, v *float32, n int, c *float32) {
	ps, gs, ms, vs := unsafe.Slice(p, n), unsafe.Slice(g, n), unsafe.Slice(m, n), unsafe.Slice(v, n)
	k := unsafe.Slice(c, 7)
	for i := range ps {
		gi := gs[i]
		mi := k[0]*ms[i] + k[1]*gi
		vi := k[2]*vs[i] + k[3]*gi*gi
		ms[i], vs[i] = mi, vi
		ps[i] -= k[4] * mi / (float32(math.Sqrt(float64(vi)))/k[5] + k[6])
	}
}

func bnStatsGo(y, m *float32, n int, first float32, out *float32) {
	ys, ms := unsafe.Slice(y, n), unsafe.Slice(m, n)
	var s, ss float32
	for j, v := range ys {
		d := (v - first) * ms[j]
		s += d
		ss += d * d
	}
	o := unsafe.Slice(out, 2)
	o[0], o[1] = s, ss
}

func bnApplyGo(dst, y, m *float32, n int, scale, shift float32) {
	ds, ys, ms := unsafe.Slice(dst, n), unsafe.Slice(y, n), unsafe.Slice(m, n)
	for j, v := range ys {
		ds[j] = max(v*scale+shift, 0) * ms[j]
	}
}

func bnGrad1Go(g, da, a, y *float32, n int, mf float32, out *float32) {
	gs, das, as, ys := unsafe.Slice(g, n), unsafe.Slice(da, n), unsafe.Slice(a, n), unsafe.Slice(y, n)
	var s, sx float32
	for j := range gs {
		// a ≥ 0, so a > 0 ⇔ its bits are non-zero: a branch-free mask.
		keep := uint32(-int32(math.Float32bits(as[j])) >> 31)
		gv := math.Float32frombits(math.Float32bits(das[j]) & keep)
		gs[j] = gv
		s += gv
		sx += gv * (ys[j] - mf)
	}
	o := unsafe.Slice(out, 2)
	o[0], o[1] = s, sx
}

func bnGrad2Go(g, y, m *float32, n int, alpha, beta, gam float32, out *float32) {
	gs, ys, ms := unsafe.Slice(g, n), unsafe.Slice(y, n), unsafe.Slice(m, n)
	var s float32
	for j := range gs {
		v := (alpha*gs[j] + beta + gam*ys[j]) * ms[j]
		gs[j] = v
		s += v
	}
	*out = s
}

// The wrappers run the kernel on the largest multiple of 8 and Go on the
// rest; out must have room for 4 values (2 for the kernel, 2 for the tail).

func (e *elemKernels) stats(y, m []float32, first float32, out []float32) (float32, float32) {
	n8 := len(y) &^ 7
	out[0], out[1] = 0, 0
	if n8 > 0 {
		e.bnStats(&y[0], &m[0], n8, first, &out[0])
	}
	s, ss := out[0], out[1]
	if n8 < len(y) {
		bnStatsGo(&y[n8], &m[n8], len(y)-n8, first, &out[2])
		s, ss = s+out[2], ss+out[3]
	}
	return s, ss
}

func (e *elemKernels) apply(dst, y, m []float32, scale, shift float32) {
	n8 := len(y) &^ 7
	if n8 > 0 {
		e.bnApply(&dst[0], &y[0], &m[0], n8, scale, shift)
	}
	if n8 < len(y) {
		bnApplyGo(&dst[n8], &y[n8], &m[n8], len(y)-n8, scale, shift)
	}
}

func (e *elemKernels) grad1(g, da, a, y []float32, mf float32, out []float32) (float32, float32) {
	n8 := len(y) &^ 7
	out[0], out[1] = 0, 0
	if n8 > 0 {
		e.bnGrad1(&g[0], &da[0], &a[0], &y[0], n8, mf, &out[0])
	}
	s, sx := out[0], out[1]
	if n8 < len(y) {
		bnGrad1Go(&g[n8], &da[n8], &a[n8], &y[n8], len(y)-n8, mf, &out[2])
		s, sx = s+out[2], sx+out[3]
	}
	return s, sx
}

func (e *elemKernels) grad2(g, y, m []float32, alpha, beta, gam float32, out []float32) float32 {
	n8 := len(y) &^ 7
	out[0] = 0
	if n8 > 0 {
		e.bnGrad2(&g[0], &y[0], &m[0], n8, alpha, beta, gam, &out[0])
	}
	s := out[0]
	if n8 < len(y) {
		bnGrad2Go(&g[n8], &y[n8], &m[n8], len(y)-n8, alpha, beta, gam, &out[2])
		s += out[2]
	}
	return s
}
