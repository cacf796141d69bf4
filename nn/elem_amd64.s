//go:build amd64 && !purego && !d4dcheck

#include "textflag.h"

// Element-wise batch-norm passes (AVX2, 8 lanes; n is a multiple of 8)
// and the 2×1 / 2×2 max pools of one image. They are memory-bound; AVX2 is
// enough on AVX-512 machines too.


// func bnStatsAVX2(y, m *float32, n int, first float32, out *float32)
// out[0] = Σ (y−first)·m, out[1] = Σ ((y−first)·m)²
TEXT ·bnStatsAVX2(SB), NOSPLIT, $0-40
	MOVQ y+0(FP), SI
	MOVQ m+8(FP), DI
	MOVQ n+16(FP), CX
	VBROADCASTSS first+24(FP), Y0
	MOVQ out+32(FP), DX
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	SHRQ $3, CX
	JEQ sdone

sloop:
	VMOVUPS (SI), Y5
	VSUBPS Y0, Y5, Y5
	VMULPS (DI), Y5, Y5
	VADDPS Y5, Y1, Y1
	VFMADD231PS Y5, Y5, Y2
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNE sloop

sdone:
	VEXTRACTF128 $1, Y1, X6
	VADDPS X6, X1, X1
	VHADDPS X1, X1, X1
	VHADDPS X1, X1, X1
	VMOVSS X1, (DX)
	VEXTRACTF128 $1, Y2, X6
	VADDPS X6, X2, X2
	VHADDPS X2, X2, X2
	VHADDPS X2, X2, X2
	VMOVSS X2, 4(DX)
	VZEROUPPER
	RET

// func bnApplyAVX2(dst, y, m *float32, n int, scale, shift float32)
// dst = max(y·scale + shift, 0)·m
TEXT ·bnApplyAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DX
	MOVQ y+8(FP), SI
	MOVQ m+16(FP), DI
	MOVQ n+24(FP), CX
	VBROADCASTSS scale+32(FP), Y0
	VBROADCASTSS shift+36(FP), Y1
	VXORPS Y2, Y2, Y2
	SHRQ $3, CX
	JEQ adone

aloop:
	VMOVUPS (SI), Y3
	VFMADD213PS Y1, Y0, Y3
	VMAXPS Y2, Y3, Y3
	VMULPS (DI), Y3, Y3
	VMOVUPS Y3, (DX)
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, DX
	DECQ CX
	JNE aloop

adone:
	VZEROUPPER
	RET

// func bnGrad1AVX2(gr, da, a, y *float32, n int, mf float32, out *float32)
// g = da·[a > 0]; out[0] = Σ g, out[1] = Σ g·(y − mf)
TEXT ·bnGrad1AVX2(SB), NOSPLIT, $0-56
	MOVQ gr+0(FP), DX
	MOVQ da+8(FP), R8
	MOVQ a+16(FP), R9
	MOVQ y+24(FP), SI
	MOVQ n+32(FP), CX
	VBROADCASTSS mf+40(FP), Y0
	MOVQ out+48(FP), DI
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y7, Y7, Y7
	SHRQ $3, CX
	JEQ g1done

g1loop:
	VMOVUPS (R9), Y3
	VCMPPS $0x0e, Y7, Y3, Y3
	VANDPS (R8), Y3, Y4
	VMOVUPS Y4, (DX)
	VADDPS Y4, Y1, Y1
	VMOVUPS (SI), Y5
	VSUBPS Y0, Y5, Y5
	VFMADD231PS Y5, Y4, Y2
	ADDQ $32, DX
	ADDQ $32, R8
	ADDQ $32, R9
	ADDQ $32, SI
	DECQ CX
	JNE g1loop

g1done:
	VEXTRACTF128 $1, Y1, X6
	VADDPS X6, X1, X1
	VHADDPS X1, X1, X1
	VHADDPS X1, X1, X1
	VMOVSS X1, (DI)
	VEXTRACTF128 $1, Y2, X6
	VADDPS X6, X2, X2
	VHADDPS X2, X2, X2
	VHADDPS X2, X2, X2
	VMOVSS X2, 4(DI)
	VZEROUPPER
	RET

// func bnGrad2AVX2(gr, y, m *float32, n int, alpha, beta, gam float32, out *float32)
// g = (alpha·g + beta + gam·y)·m; out[0] = Σ g
TEXT ·bnGrad2AVX2(SB), NOSPLIT, $0-56
	MOVQ gr+0(FP), DX
	MOVQ y+8(FP), SI
	MOVQ m+16(FP), DI
	MOVQ n+24(FP), CX
	VBROADCASTSS alpha+32(FP), Y0
	VBROADCASTSS beta+36(FP), Y1
	VBROADCASTSS gam+40(FP), Y2
	MOVQ out+48(FP), R8
	VXORPS Y3, Y3, Y3
	SHRQ $3, CX
	JEQ g2done

g2loop:
	VMOVUPS (DX), Y4
	VFMADD213PS Y1, Y0, Y4
	VFMADD231PS (SI), Y2, Y4
	VMULPS (DI), Y4, Y4
	VMOVUPS Y4, (DX)
	VADDPS Y4, Y3, Y3
	ADDQ $32, DX
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNE g2loop

g2done:
	VEXTRACTF128 $1, Y3, X6
	VADDPS X6, X3, X3
	VHADDPS X3, X3, X3
	VHADDPS X3, X3, X3
	VMOVSS X3, (R8)
	VZEROUPPER
	RET

// func adamAVX2(p, gr, m, v *float32, n int, c *float32)
// One Adam step over n values (a multiple of 8), c = [β₁, 1−β₁, β₂, 1−β₂,
// step size, √(1−β₂ᵗ), ε]:
// m = β₁m + (1−β₁)g, v = β₂v + (1−β₂)g², p −= step·m / (√v/√(1−β₂ᵗ) + ε)
TEXT ·adamAVX2(SB), NOSPLIT, $0-48
	MOVQ p+0(FP), DI
	MOVQ gr+8(FP), SI
	MOVQ m+16(FP), R8
	MOVQ v+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ c+40(FP), DX
	VBROADCASTSS (DX), Y8
	VBROADCASTSS 4(DX), Y9
	VBROADCASTSS 8(DX), Y10
	VBROADCASTSS 12(DX), Y11
	VBROADCASTSS 16(DX), Y12
	VBROADCASTSS 20(DX), Y13
	VBROADCASTSS 24(DX), Y14
	SHRQ $3, CX
	JEQ adamdone

adamloop:
	VMOVUPS (SI), Y0
	VMULPS (R8), Y8, Y1
	VFMADD231PS Y0, Y9, Y1
	VMOVUPS Y1, (R8)
	VMULPS Y0, Y0, Y2
	VMULPS Y2, Y11, Y2
	VFMADD231PS (R9), Y10, Y2
	VMOVUPS Y2, (R9)
	VSQRTPS Y2, Y3
	VDIVPS Y13, Y3, Y3
	VADDPS Y14, Y3, Y3
	VMULPS Y12, Y1, Y1
	VDIVPS Y3, Y1, Y1
	VMOVUPS (DI), Y4
	VSUBPS Y1, Y4, Y4
	VMOVUPS Y4, (DI)
	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, R9
	DECQ CX
	JNE adamloop

adamdone:
	VZEROUPPER
	RET

// func pool2x1AVX2(dst, src *float32, rows, wp int)
// dst[r·wp + j] = max(src[2r·wp + j], src[(2r+1)·wp + j]), r < rows, j < wp
// (wp ≥ 8: a row ends with one vector overlapping the previous one).
TEXT ·pool2x1AVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DX
	MOVQ src+8(FP), SI
	MOVQ rows+16(FP), CX
	MOVQ wp+24(FP), BX
	SHLQ $2, BX
	LEAQ -32(BX), R8
	LEAQ (SI)(BX*1), DI
	TESTQ CX, CX
	JEQ pdone

prow:
	XORQ R9, R9

pvec:
	VMOVUPS (SI)(R9*1), Y0
	VMAXPS (DI)(R9*1), Y0, Y0
	VMOVUPS Y0, (DX)(R9*1)
	ADDQ $32, R9
	CMPQ R9, R8
	JLE pvec
	CMPQ R9, BX
	JEQ pnext
	VMOVUPS (SI)(R8*1), Y0
	VMAXPS (DI)(R8*1), Y0, Y0
	VMOVUPS Y0, (DX)(R8*1)

pnext:
	LEAQ (SI)(BX*2), SI
	LEAQ (DI)(BX*2), DI
	ADDQ BX, DX
	DECQ CX
	JNE prow

pdone:
	VZEROUPPER
	RET

// func pool2x2AVX2(dst, src *float32, rows, wout, wpi, wpo int)
// dst[r·wpo + j] = max of src[2r·wpi + 2j + {0, 1}] and
// src[(2r+1)·wpi + 2j + {0, 1}], r < rows, j < wout; wout = 2 or ≥ 4 (a
// row ends with one group of 4 outputs overlapping the previous one). It
// reads and writes nothing past 2·wout inputs and wout outputs of a row.
TEXT ·pool2x2AVX2(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DX
	MOVQ src+8(FP), SI
	MOVQ rows+16(FP), CX
	MOVQ wout+24(FP), R12
	MOVQ wpi+32(FP), BX
	MOVQ wpo+40(FP), R11
	SHLQ $2, BX
	SHLQ $2, R11
	SHLQ $2, R12
	LEAQ -16(R12), R8
	LEAQ (SI)(BX*1), DI
	TESTQ CX, CX
	JEQ qdone
	CMPQ R12, $16
	JLT qsmall

qrow:
	XORQ R9, R9

qvec:
	VMOVUPS (SI)(R9*2), Y0
	VMAXPS (DI)(R9*2), Y0, Y0
	VSHUFPS $0x88, Y0, Y0, Y1
	VSHUFPS $0xDD, Y0, Y0, Y2
	VMAXPS Y2, Y1, Y1
	VPERMPD $0x08, Y1, Y1
	VMOVUPS X1, (DX)(R9*1)
	ADDQ $16, R9
	CMPQ R9, R8
	JLE qvec
	CMPQ R9, R12
	JEQ qnext
	VMOVUPS (SI)(R8*2), Y0
	VMAXPS (DI)(R8*2), Y0, Y0
	VSHUFPS $0x88, Y0, Y0, Y1
	VSHUFPS $0xDD, Y0, Y0, Y2
	VMAXPS Y2, Y1, Y1
	VPERMPD $0x08, Y1, Y1
	VMOVUPS X1, (DX)(R8*1)

qnext:
	LEAQ (SI)(BX*2), SI
	LEAQ (DI)(BX*2), DI
	ADDQ R11, DX
	DECQ CX
	JNE qrow
	JMP qdone

qsmall:
	VMOVUPS (SI), X0
	VMAXPS (DI), X0, X0
	VSHUFPS $0x88, X0, X0, X1
	VSHUFPS $0xDD, X0, X0, X2
	VMAXPS X2, X1, X1
	VMOVSD X1, (DX)
	LEAQ (SI)(BX*2), SI
	LEAQ (DI)(BX*2), DI
	ADDQ R11, DX
	DECQ CX
	JNE qsmall

qdone:
	VZEROUPPER
	RET

DATA iota8<>+0(SB)/4, $0
DATA iota8<>+4(SB)/4, $1
DATA iota8<>+8(SB)/4, $2
DATA iota8<>+12(SB)/4, $3
DATA iota8<>+16(SB)/4, $4
DATA iota8<>+20(SB)/4, $5
DATA iota8<>+24(SB)/4, $6
DATA iota8<>+28(SB)/4, $7
GLOBL iota8<>(SB), RODATA|NOPTR, $32

// func pool2x1ArgAVX2(dst *float32, arg *int32, src *float32, rows, w, wp, q0 int)
// The training 2×1 max pool of pool2x1ArgGo (w ≥ 8: a row ends with one
// vector overlapping the previous one).
TEXT ·pool2x1ArgAVX2(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), DX
	MOVQ arg+8(FP), AX
	MOVQ src+16(FP), SI
	MOVQ rows+24(FP), CX
	MOVQ w+32(FP), R10
	MOVQ wp+40(FP), R12
	MOVQ q0+48(FP), R11
	MOVQ R12, BX
	SHLQ $2, BX
	LEAQ -8(R10), R8
	LEAQ (SI)(BX*1), DI
	MOVQ R12, X8
	VPBROADCASTD X8, Y8
	VMOVDQU iota8<>(SB), Y9
	TESTQ CX, CX
	JEQ gdone

grow:
	XORQ R9, R9

gvec:
	VMOVDQU (SI)(R9*4), Y0
	VMOVDQU (DI)(R9*4), Y1
	VPCMPGTD Y0, Y1, Y2
	VPMAXSD Y0, Y1, Y3
	VMOVDQU Y3, (DX)(R9*4)
	LEAQ (R11)(R9*1), R13
	MOVQ R13, X4
	VPBROADCASTD X4, Y4
	VPADDD Y9, Y4, Y4
	VPAND Y8, Y2, Y2
	VPADDD Y2, Y4, Y4
	VMOVDQU Y4, (AX)(R9*4)
	ADDQ $8, R9
	CMPQ R9, R8
	JLE gvec
	CMPQ R9, R10
	JEQ gnext
	MOVQ R8, R9
	JMP gvec

gnext:
	LEAQ (SI)(BX*2), SI
	LEAQ (DI)(BX*2), DI
	ADDQ BX, DX
	LEAQ (AX)(R10*4), AX
	LEAQ (R11)(R12*2), R11
	DECQ CX
	JNE grow

gdone:
	VZEROUPPER
	RET

DATA iota2x4<>+0(SB)/4, $0
DATA iota2x4<>+4(SB)/4, $2
DATA iota2x4<>+8(SB)/4, $4
DATA iota2x4<>+12(SB)/4, $6
GLOBL iota2x4<>(SB), RODATA|NOPTR, $16

// POOL2X2ARG: with X0..X3 the window values a, b, c, d of 4 outputs (bit
// patterns, row-major window order) and R13 the input index of the first
// a, leaves the max in X0 and its index in X6 (first maximum on ties).
#define POOL2X2ARG \
	MOVQ R13, X10; \
	VPBROADCASTD X10, X10; \
	VPADDD X9, X10, X10; \
	VPCMPGTD X0, X1, X5; \
	VPMAXSD X1, X0, X0; \
	VPAND X12, X5, X5; \
	VPADDD X5, X10, X6; \
	VPADDD X11, X10, X7; \
	VPCMPGTD X0, X2, X5; \
	VPMAXSD X2, X0, X0; \
	VPSUBD X6, X7, X8; \
	VPAND X5, X8, X8; \
	VPADDD X8, X6, X6; \
	VPADDD X12, X7, X7; \
	VPCMPGTD X0, X3, X5; \
	VPMAXSD X3, X0, X0; \
	VPSUBD X6, X7, X8; \
	VPAND X5, X8, X8; \
	VPADDD X8, X6, X6

// LOAD4: the window values of outputs R9..R9+3 of the current row pair.
#define LOAD4 \
	VMOVDQU (SI)(R9*8), Y4; \
	VSHUFPS $0x88, Y4, Y4, Y0; \
	VSHUFPS $0xDD, Y4, Y4, Y1; \
	VPERMPD $0x08, Y0, Y0; \
	VPERMPD $0x08, Y1, Y1; \
	VMOVDQU (DI)(R9*8), Y4; \
	VSHUFPS $0x88, Y4, Y4, Y2; \
	VSHUFPS $0xDD, Y4, Y4, Y3; \
	VPERMPD $0x08, Y2, Y2; \
	VPERMPD $0x08, Y3, Y3

// func pool2x2ArgAVX2(dst *float32, arg *int32, src *float32, rows, w, wpi, wpo, q0 int)
// The training 2×2 max pool of pool2x2ArgGo (w = 2 or ≥ 4: a row ends with
// one group of 4 outputs overlapping the previous one).
TEXT ·pool2x2ArgAVX2(SB), NOSPLIT, $0-64
	MOVQ dst+0(FP), DX
	MOVQ arg+8(FP), AX
	MOVQ src+16(FP), SI
	MOVQ rows+24(FP), CX
	MOVQ w+32(FP), R10
	MOVQ wpi+40(FP), R12
	MOVQ wpo+48(FP), R14
	MOVQ q0+56(FP), R11
	MOVQ R12, BX
	SHLQ $2, BX
	SHLQ $2, R14
	LEAQ -4(R10), R8
	LEAQ (SI)(BX*1), DI
	VMOVDQU iota2x4<>(SB), X9
	MOVQ R12, X11
	VPBROADCASTD X11, X11
	MOVQ $1, R13
	MOVQ R13, X12
	VPBROADCASTD X12, X12
	TESTQ CX, CX
	JEQ hdone
	CMPQ R10, $4
	JLT hsmall

hrow:
	XORQ R9, R9

hvec:
	LOAD4
	LEAQ (R11)(R9*2), R13
	POOL2X2ARG
	VMOVDQU X0, (DX)(R9*4)
	VMOVDQU X6, (AX)(R9*4)
	ADDQ $4, R9
	CMPQ R9, R8
	JLE hvec
	CMPQ R9, R10
	JEQ hnext
	MOVQ R8, R9
	JMP hvec

hnext:
	LEAQ (SI)(BX*2), SI
	LEAQ (DI)(BX*2), DI
	ADDQ R14, DX
	LEAQ (AX)(R10*4), AX
	LEAQ (R11)(R12*2), R11
	DECQ CX
	JNE hrow
	JMP hdone

hsmall:
	VMOVDQU (SI), X4
	VSHUFPS $0x88, X4, X4, X0
	VSHUFPS $0xDD, X4, X4, X1
	VMOVDQU (DI), X4
	VSHUFPS $0x88, X4, X4, X2
	VSHUFPS $0xDD, X4, X4, X3
	MOVQ R11, R13
	POOL2X2ARG
	VMOVSD X0, (DX)
	VMOVSD X6, (AX)
	LEAQ (SI)(BX*2), SI
	LEAQ (DI)(BX*2), DI
	ADDQ R14, DX
	ADDQ $8, AX
	LEAQ (R11)(R12*2), R11
	DECQ CX
	JNE hsmall

hdone:
	VZEROUPPER
	RET
