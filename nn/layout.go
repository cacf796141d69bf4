package nn

// Feature maps are stored channel-major over the whole batch, each channel
// as one flat array in which every image row is followed by one zero column
// and every image by one zero row (the zero row and column are shared by the
// neighbouring row and image, so they are the SAME padding on both sides):
//
//	index(n, h, w) = base + n·imgStride + h·wp + w,
//	wp = W+1 (the padded row), imgStride = (H+1)·wp, base = wp+1
//
// With this layout a 3×3 SAME convolution over all images at once is a
// matrix product whose B rows are the input channels shifted by
// (dy-1)·wp + (dx-1): no im2col copy is needed, and one kernel serves all
// layers. Outputs computed at pad positions are garbage and never read; every
// writer of a map writes zeros at its pads.

func roundUp(x, m int) int { return (x + m - 1) / m * m }

// geom is the padded layout of maps of h × w (see above).
type geom struct {
	h, w, wp, imgStride, base int
}

func newGeom(h, w int) geom {
	wp := w + 1
	return geom{h: h, w: w, wp: wp, imgStride: (h + 1) * wp, base: wp + 1}
}

// qhi is the end of the computed range [0, qhi) for a batch of n.
func (g geom) qhi(n int) int { return roundUp(g.base+n*g.imgStride, maxNR) }

// span is the length of each channel's prefix that writers keep exact
// (values at valid positions, zeros elsewhere): everything a reader touches.
func (g geom) span(n int) int { return g.qhi(n) + g.wp + 2 }

// act is a batch of feature maps in the padded layout.
type act struct {
	g          geom
	c          int // channels allocated
	capN       int
	chanStride int // channel stride
	margin     int // leading margin (reads may reach wp+1 before a channel)
	data       []float32
}

func newAct(g geom, c int) act { return act{g: g, c: c} }

// ensure grows the buffer to hold n images; it never shrinks.
func (a *act) ensure(n int) {
	if n <= a.capN {
		return
	}
	a.capN = n
	a.margin = roundUp(a.g.wp+2, 16)
	a.chanStride = roundUp(a.g.base+n*a.g.imgStride+maxNR+a.g.wp+2, 16)
	a.data = make([]float32, 2*a.margin+a.c*a.chanStride)
}

// ch is channel c's region.
func (a *act) ch(c int) []float32 {
	o := a.margin + c*a.chanStride
	return a.data[o : o+a.chanStride]
}

// ptr is the address of channel 0, position q = 0.
func (a *act) ptr() *float32 { return &a.data[a.margin] }

// mat is a batch of feature vectors stored feature-major: row r holds
// feature r of every sample, columns past the batch are zero.
type mat struct {
	rows, ld, capN int
	data           []float32
}

func (m *mat) ensure(n int) {
	if n <= m.capN {
		return
	}
	m.capN = n
	m.ld = roundUp(n, maxNR)
	m.data = make([]float32, m.rows*m.ld+maxNR)
}

func (m *mat) row(r int) []float32 { return m.data[r*m.ld : (r+1)*m.ld] }
