package features

// ContextHalf is the seed's context: 8 frames each side, images 17 wide.
const ContextHalf = 8

// ContextImage writes into dst the context image of frame t of m: the
// frames t−half … t+half (width W = 2·half+1) stacked as an image of height
// m.Cols (the feature dimension) and width W, row-major [dim][time]:
//
//	dst[d·W + j] = m[clamp(t − half + j)][d],  clamp to [0, m.Rows−1],
//
// so frames before the start repeat the first frame and frames after the end
// repeat the last. This is PyTorch's N×1×H×W layout for one image.
// len(dst) must be at least m.Cols·W; m must have at least one row.
// It allocates nothing, so images are cut from the frame matrix on the fly
// instead of materialising a whole set's images.
func ContextImage(dst []float32, m *Matrix, t, half int) {
	w := 2*half + 1
	dim := m.Cols
	dst = dst[:dim*w]
	last := m.Rows - 1
	for j := 0; j < w; j++ {
		s := min(max(t-half+j, 0), last)
		row := m.Data[s*dim : (s+1)*dim]
		for d, v := range row {
			dst[d*w+j] = v
		}
	}
}

// ContextImages writes the context images of frames t0 … t0+n−1 of m into
// dst, one after another (n × m.Cols × W values, the layout of an N×1×H×W
// batch).
func ContextImages(dst []float32, m *Matrix, t0, n, half int) {
	size := m.Cols * (2*half + 1)
	for i := 0; i < n; i++ {
		ContextImage(dst[i*size:(i+1)*size], m, t0+i, half)
	}
}
