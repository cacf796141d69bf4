package gmm

import (
	"context"
	"math"
	"math/rand/v2"
	"sync"
)

// Initialisation: k-means++ seeding (Arthur & Vassilvitskii 2007) on a random
// subsample of at most initSubsample·K frames, refined by initLloyd k-means
// iterations; each component then starts at its cluster's mean, variance
// (floored; the global variance for clusters of fewer than two frames) and
// share of the subsample (add-one smoothed so no weight is zero).
const (
	initSubsample = 20
	initLloyd     = 3
)

func initModel(ctx context.Context, data []float32, dim, k int, seed uint64, threads int, st stats, floor []float64) (*GMM, error) {
	rng := rand.New(rand.NewPCG(seed, 0x6d6d67))
	n := len(data) / dim
	m := min(n, initSubsample*k)

	// Subsample m distinct frames (partial Fisher–Yates), kept in order of
	// selection, as float64.
	idx := make([]int32, n)
	for i := range idx {
		idx[i] = int32(i)
	}
	x := make([]float64, m*dim)
	for i := 0; i < m; i++ {
		j := i + rng.IntN(n-i)
		idx[i], idx[j] = idx[j], idx[i]
		src := data[int(idx[i])*dim : (int(idx[i])+1)*dim]
		for c, v := range src {
			x[i*dim+c] = float64(v)
		}
	}

	// k-means++ seeding.
	cent := make([]float64, k*dim)
	d2 := make([]float64, m)
	for i := range d2 {
		d2[i] = math.Inf(1)
	}
	pick := rng.IntN(m)
	for c := 0; c < k; c++ {
		copy(cent[c*dim:(c+1)*dim], x[pick*dim:(pick+1)*dim])
		if c == k-1 {
			break
		}
		if c%32 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		ctr := cent[c*dim : (c+1)*dim]
		total := 0.0
		for i := 0; i < m; i++ {
			if v := sqDist(x[i*dim:(i+1)*dim], ctr); v < d2[i] {
				d2[i] = v
			}
			total += d2[i]
		}
		if total <= 0 {
			pick = rng.IntN(m) // all points coincide with centres
			continue
		}
		u := rng.Float64() * total
		pick = m - 1
		for i, v := range d2 {
			u -= v
			if u < 0 {
				pick = i
				break
			}
		}
	}

	// Lloyd iterations, the assignment in parallel over contiguous ranges.
	assign := make([]int32, m)
	count := make([]float64, k)
	for it := 0; it <= initLloyd; it++ {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var wg sync.WaitGroup
		for th := 0; th < threads; th++ {
			lo, hi := th*m/threads, (th+1)*m/threads
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := lo; i < hi; i++ {
					xi := x[i*dim : (i+1)*dim]
					best, bd := 0, math.Inf(1)
					for c := 0; c < k; c++ {
						if v := sqDist(xi, cent[c*dim:(c+1)*dim]); v < bd {
							best, bd = c, v
						}
					}
					assign[i] = int32(best)
				}
			}()
		}
		wg.Wait()
		if it == initLloyd {
			break
		}
		// Update the centres; an empty cluster keeps its centre.
		sum := make([]float64, k*dim)
		clear(count)
		for i := 0; i < m; i++ {
			c := int(assign[i])
			count[c]++
			for j, v := range x[i*dim : (i+1)*dim] {
				sum[c*dim+j] += v
			}
		}
		for c := 0; c < k; c++ {
			if count[c] > 0 {
				for j := 0; j < dim; j++ {
					cent[c*dim+j] = sum[c*dim+j] / count[c]
				}
			}
		}
	}

	// Per-cluster moments.
	g := &GMM{K: k, Dim: dim, Weights: make([]float64, k), Means: make([]float64, k*dim), Vars: make([]float64, k*dim)}
	s1 := make([]float64, k*dim)
	s2 := make([]float64, k*dim)
	clear(count)
	for i := 0; i < m; i++ {
		c := int(assign[i])
		count[c]++
		for j, v := range x[i*dim : (i+1)*dim] {
			s1[c*dim+j] += v
			s2[c*dim+j] += v * v
		}
	}
	for c := 0; c < k; c++ {
		g.Weights[c] = (count[c] + 1) / float64(m+k)
		for j := 0; j < dim; j++ {
			i := c*dim + j
			if count[c] < 2 {
				g.Means[i] = cent[i]
				g.Vars[i] = max(st.variance[j], floor[j])
				continue
			}
			mu := s1[i] / count[c]
			g.Means[i] = mu
			g.Vars[i] = max(s2[i]/count[c]-mu*mu, floor[j])
		}
	}
	return g, nil
}

// sqDist returns ‖a − b‖².
func sqDist(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		d0, d1, d2, d3 := a[i]-b[i], a[i+1]-b[i+1], a[i+2]-b[i+2], a[i+3]-b[i+3]
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for ; i < len(a); i++ {
		d := a[i] - b[i]
		s0 += d * d
	}
	return s0 + s1 + s2 + s3
}
