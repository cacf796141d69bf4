package features

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestDCTAnalytic(t *testing.T) {
	const n = 16
	d := NewDCT(n, n)
	x := make([]float32, n)
	y := make([]float32, n)
	// A constant c has only c0 = √N·c.
	for i := range x {
		x[i] = 3
	}
	d.Apply(y, x)
	for k, v := range y {
		want := 0.0
		if k == 0 {
			want = 3 * math.Sqrt(n)
		}
		if math.Abs(float64(v)-want) > 1e-5 {
			t.Errorf("constant: y[%d] = %v, want %v", k, v, want)
		}
	}
	// The basis vector cos(πk0(2n+1)/2N) maps to √(N/2) at k0 only.
	for _, k0 := range []int{1, 5, 15} {
		for i := range x {
			x[i] = float32(math.Cos(math.Pi * float64(k0) * float64(2*i+1) / (2 * n)))
		}
		d.Apply(y, x)
		for k, v := range y {
			want := 0.0
			if k == k0 {
				want = math.Sqrt(n / 2.0)
			}
			if math.Abs(float64(v)-want) > 1e-5 {
				t.Errorf("basis %d: y[%d] = %v, want %v", k0, k, v, want)
			}
		}
	}
	// Orthonormal: energy is preserved (Parseval).
	r := rand.New(rand.NewPCG(1, 1))
	var ex, ey float64
	for i := range x {
		x[i] = float32(r.NormFloat64())
		ex += float64(x[i]) * float64(x[i])
	}
	d.Apply(y, x)
	for _, v := range y {
		ey += float64(v) * float64(v)
	}
	if math.Abs(ex-ey) > 1e-4*ex {
		t.Errorf("energy %v in, %v out", ex, ey)
	}
	// Truncation keeps the leading coefficients.
	d4 := NewDCT(n, 4)
	y4 := make([]float32, 4)
	d4.Apply(y4, x)
	for k := range y4 {
		if y4[k] != y[k] {
			t.Errorf("truncated y[%d] = %v, full %v", k, y4[k], y[k])
		}
	}
}

func TestAppendDeltas(t *testing.T) {
	// Column 0 a ramp c_t = t, column 1 a constant, column 2 a parabola.
	const n = 6
	src := &Matrix{}
	src.Resize(n, 3)
	for i := 0; i < n; i++ {
		src.Row(i)[0] = float32(i)
		src.Row(i)[1] = 7
		src.Row(i)[2] = float32(i * i)
	}
	var dst Matrix
	AppendDeltas(&dst, src)
	if dst.Rows != n || dst.Cols != 9 {
		t.Fatalf("shape %d×%d", dst.Rows, dst.Cols)
	}
	// Ramp deltas with edges replicated, by hand from the HTK formula:
	// t=0: ((1−0) + 2(2−0))/10 = 0.5; t=1: ((2−0) + 2(3−0))/10 = 0.8; interior 1.
	rampD := []float32{0.5, 0.8, 1, 1, 0.8, 0.5}
	// ΔΔ of the ramp: the same formula on rampD.
	rampDD := make([]float32, n)
	for i := range rampDD {
		c := func(j int) float32 { return rampD[min(max(j, 0), n-1)] }
		rampDD[i] = ((c(i+1) - c(i-1)) + 2*(c(i+2)-c(i-2))) / 10
	}
	for i := 0; i < n; i++ {
		r := dst.Row(i)
		want := []float32{float32(i), 7, float32(i * i), rampD[i], 0, r[5], rampDD[i], 0, r[8]}
		for j := range want {
			if math.Abs(float64(r[j]-want[j])) > 1e-6 {
				t.Errorf("row %d col %d = %v, want %v", i, j, r[j], want[j])
			}
		}
	}
	// Parabola t²: interior Δ = 2t, interior ΔΔ = 2.
	if d := dst.Row(2)[5]; math.Abs(float64(d)-4) > 1e-6 {
		t.Errorf("Δ(t²) at t=2 = %v, want 4", d)
	}
	// In place gives the same; reuse allocates nothing.
	in := &Matrix{Rows: src.Rows, Cols: src.Cols, Data: append([]float32(nil), src.Data...)}
	AppendDeltas(in, in)
	for i := range dst.Data {
		if in.Data[i] != dst.Data[i] {
			t.Fatalf("in-place result differs at %d", i)
		}
	}
	if a := testing.AllocsPerRun(10, func() { AppendDeltas(&dst, src) }); a != 0 {
		t.Errorf("AppendDeltas allocates %v times", a)
	}
	var empty Matrix
	AppendDeltas(&empty, &Matrix{Cols: 4})
	if empty.Rows != 0 || empty.Cols != 12 {
		t.Errorf("empty input gave %d×%d", empty.Rows, empty.Cols)
	}
}
