// Command asmgen generates assembly kernels with avo
// (github.com/mmcloughlin/avo): the instruction stream is written as a Go
// loop over the tile's rows and columns instead of by hand, so the
// repetition of an unrolled register tile lives in one place.
//
// It is its own module, so that the deep4deep module does not depend on
// avo. Run it from this folder:
//
//	go run . -out ../../gmm/kernel_amd64.s
//
// Today it generates gmm's 4 × 8 AVX2 kernel, kern4x8AVX2, instruction for
// instruction the hand-written one it replaced (DESIGN §8.1 has the
// measurement that decided it).
package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

const (
	mr = 4 // rows of the C tile (A values broadcast per step)
	nr = 8 // columns (two ymm of float64)
)

// kern4x8 emits kern4x8AVX2: C[i, j] += Σ_q a[4q+i]·b[8q+j] for i < 4,
// j < 8, with the 8 accumulators in registers, the q loop unrolled by two.
func kern4x8() {
	TEXT("kern4x8AVX2", NOSPLIT, "func(p int, a, b, c []float64, ldc int)")
	Doc("kern4x8AVX2 computes C[i, j] += Σ_q a[4q+i]·b[8q+j] for i < 4, j < 8:",
		"the 4 × 8 accumulators live in 8 ymm registers (two per row); each step",
		"loads one 8-wide B row and broadcasts the four A values. The q loop is",
		"unrolled by two.")
	p := Load(Param("p"), GP64())
	a := Load(Param("a").Base(), GP64())
	b := Load(Param("b").Base(), GP64())
	c := Load(Param("c").Base(), GP64())
	ldc := Load(Param("ldc"), GP64())
	SHLQ(U8(3), ldc)

	// The accumulators are Y0–Y7 (row i in Y2i, Y2i+1).
	var acc [mr][2]reg.VecPhysical
	ys := []reg.VecPhysical{reg.Y0, reg.Y1, reg.Y2, reg.Y3, reg.Y4, reg.Y5, reg.Y6, reg.Y7}
	for i := range acc {
		for j := range acc[i] {
			acc[i][j] = ys[2*i+j]
			VXORPD(acc[i][j], acc[i][j], acc[i][j])
		}
	}
	// step emits one q step from the B row at b+boff·8 bytes and the A
	// values at a+aoff·8 bytes, into the scratch registers of pair h
	// (0 or 1): the two unrolled steps use different registers and both
	// broadcasts of a row pair are issued before their FMAs, the schedule
	// of the hand-written kernel (avo's allocator would reuse one register
	// for every broadcast, 3.5–4.5 % slower on a quiet machine; DESIGN §8.1).
	scratch := [2][4]reg.VecPhysical{{reg.Y8, reg.Y9, reg.Y10, reg.Y11}, {reg.Y12, reg.Y13, reg.Y14, reg.Y15}}
	step := func(boff, aoff, h int) {
		b0, b1, a0, a1 := scratch[h][0], scratch[h][1], scratch[h][2], scratch[h][3]
		VMOVUPD(Mem{Base: b, Disp: 8 * boff}, b0)
		VMOVUPD(Mem{Base: b, Disp: 8 * (boff + 4)}, b1)
		for i := 0; i < mr; i += 2 {
			VBROADCASTSD(Mem{Base: a, Disp: 8 * (aoff + i)}, a0)
			VBROADCASTSD(Mem{Base: a, Disp: 8 * (aoff + i + 1)}, a1)
			VFMADD231PD(b0, a0, acc[i][0])
			VFMADD231PD(b1, a0, acc[i][1])
			VFMADD231PD(b0, a1, acc[i+1][0])
			VFMADD231PD(b1, a1, acc[i+1][1])
		}
	}

	pairs := GP64()
	MOVQ(p, pairs)
	SHRQ(U8(1), pairs)
	JZ(LabelRef("tail"))
	Label("loop2")
	step(0, 0, 0)
	step(nr, mr, 1)
	ADDQ(U32(8*2*mr), a)
	ADDQ(U32(8*2*nr), b)
	DECQ(pairs)
	JNZ(LabelRef("loop2"))

	Label("tail")
	ANDQ(U8(1), p)
	JZ(LabelRef("store"))
	step(0, 0, 0)

	Label("store")
	for i := 0; i < mr; i++ {
		if i > 0 {
			ADDQ(ldc, c)
		}
		for j := 0; j < 2; j++ {
			VADDPD(Mem{Base: c, Disp: 32 * j}, acc[i][j], acc[i][j])
			VMOVUPD(acc[i][j], Mem{Base: c, Disp: 32 * j})
		}
	}
	VZEROUPPER()
	RET()
}

// kern8x16 emits kern8x16AVX512: an 8 × 16 tile from two packed A panels
// (rows 0–3 and 4–7, 4 values per step) and two packed B panels (columns
// 0–7 and 8–15, 8 values per step): C[i, j] += Σ_q A[q, i]·B[q, j]. Z0…Z15
// hold the accumulators, row r in Z(2r) (columns 0–7) and Z(2r+1) (columns
// 8–15); Z16–Z25 are the loaded B rows and broadcast A values, all eight
// broadcasts issued before the sixteen FMAs.
func kern8x16() {
	TEXT("kern8x16AVX512", NOSPLIT, "func(p int, a0, a1, b0, b1, c []float64, ldc int)")
	Doc("kern8x16AVX512 computes an 8 × 16 tile from two packed A panels (rows 0–3,",
		"4–7) and two packed B panels (columns 0–7, 8–15): C[i, j] += Σ_q A[q, i]·B[q, j].")
	p := Load(Param("p"), GP64())
	a0 := Load(Param("a0").Base(), GP64())
	a1 := Load(Param("a1").Base(), GP64())
	b0 := Load(Param("b0").Base(), GP64())
	b1 := Load(Param("b1").Base(), GP64())
	c := Load(Param("c").Base(), GP64())
	ldc := Load(Param("ldc"), GP64())
	SHLQ(U8(3), ldc)

	z := []reg.VecPhysical{reg.Z0, reg.Z1, reg.Z2, reg.Z3, reg.Z4, reg.Z5, reg.Z6, reg.Z7,
		reg.Z8, reg.Z9, reg.Z10, reg.Z11, reg.Z12, reg.Z13, reg.Z14, reg.Z15,
		reg.Z16, reg.Z17, reg.Z18, reg.Z19, reg.Z20, reg.Z21, reg.Z22, reg.Z23, reg.Z24, reg.Z25}
	acc, bz, az := z[:16], z[16:18], z[18:26]
	for _, r := range acc {
		VPXORQ(r, r, r)
	}
	TESTQ(p, p)
	JZ(LabelRef("store"))

	Label("loop")
	VMOVUPD(Mem{Base: b0}, bz[0])
	VMOVUPD(Mem{Base: b1}, bz[1])
	for i := 0; i < 8; i++ {
		panel := a0
		if i >= 4 {
			panel = a1
		}
		VBROADCASTSD(Mem{Base: panel, Disp: 8 * (i % 4)}, az[i])
	}
	for i := 0; i < 8; i++ {
		VFMADD231PD(bz[0], az[i], acc[2*i])
		VFMADD231PD(bz[1], az[i], acc[2*i+1])
	}
	ADDQ(U8(32), a0)
	ADDQ(U8(32), a1)
	ADDQ(U8(64), b0)
	ADDQ(U8(64), b1)
	DECQ(p)
	JNZ(LabelRef("loop"))

	Label("store")
	for i := 0; i < 8; i++ {
		if i > 0 {
			ADDQ(ldc, c)
		}
		for j := 0; j < 2; j++ {
			VADDPD(Mem{Base: c, Disp: 64 * j}, acc[2*i+j], acc[2*i+j])
			VMOVUPD(acc[2*i+j], Mem{Base: c, Disp: 64 * j})
		}
	}
	VZEROUPPER()
	RET()
}

func main() {
	ConstraintExpr("amd64,!purego,!d4dcheck")
	kern4x8()
	kern8x16()
	Generate()
}
