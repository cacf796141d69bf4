//go:build amd64 && !purego && !d4dcheck

#include "textflag.h"

// func expSubAVX2(x []float64, mx float64, tab *[expTabLen]uint64) float64
//
// x[i] = exp(x[i] − mx) for all i (len(x) > 0, a multiple of 4), returning the sum
// of the results: expNeg (estep.go) four lanes at a time. tab holds, each
// replicated over four lanes: −700, log2(e), ln2hi, ln2lo, 1023 (as int64),
// then the Taylor coefficients 1/11!, 1/10!, …, 1/1!, 1/0!.
TEXT ·expSubAVX2(SB), NOSPLIT, $0-48
	MOVQ         x_base+0(FP), SI
	MOVQ         x_len+8(FP), CX
	VBROADCASTSD mx+24(FP), Y15
	MOVQ         tab+32(FP), R9
	VMOVUPD      0(R9), Y13   // −700
	VMOVUPD      32(R9), Y12  // log2(e)
	VMOVUPD      64(R9), Y11  // ln2hi
	VMOVUPD      96(R9), Y10  // ln2lo
	VMOVDQU      128(R9), Y8  // 1023
	LEAQ         160(R9), R10 // polynomial
	VXORPD       Y14, Y14, Y14

loop:
	VMOVUPD      (SI), Y0
	VSUBPD       Y15, Y0, Y0
	VCMPPD       $13, Y13, Y0, Y9  // Y9 = x ≥ −700 (false for NaN)
	VMAXPD       Y13, Y0, Y0
	VMULPD       Y12, Y0, Y1
	VROUNDPD     $0, Y1, Y1        // n = round(x·log2 e)
	VFNMADD231PD Y11, Y1, Y0       // r = x − n·ln2hi − n·ln2lo
	VFNMADD231PD Y10, Y1, Y0
	VMOVUPD      0(R10), Y2
	VFMADD213PD  32(R10), Y0, Y2
	VFMADD213PD  64(R10), Y0, Y2
	VFMADD213PD  96(R10), Y0, Y2
	VFMADD213PD  128(R10), Y0, Y2
	VFMADD213PD  160(R10), Y0, Y2
	VFMADD213PD  192(R10), Y0, Y2
	VFMADD213PD  224(R10), Y0, Y2
	VFMADD213PD  256(R10), Y0, Y2
	VFMADD213PD  288(R10), Y0, Y2
	VFMADD213PD  320(R10), Y0, Y2
	VFMADD213PD  352(R10), Y0, Y2
	VCVTPD2DQY   Y1, X3
	VPMOVSXDQ    X3, Y3
	VPADDQ       Y8, Y3, Y3
	VPSLLQ       $52, Y3, Y3       // 2ⁿ
	VMULPD       Y3, Y2, Y2
	VANDPD       Y9, Y2, Y2
	VMOVUPD      Y2, (SI)
	VADDPD       Y2, Y14, Y14
	ADDQ         $32, SI
	SUBQ         $4, CX
	JNZ          loop

	VEXTRACTF128 $1, Y14, X0
	VADDPD       X0, X14, X0
	VHADDPD      X0, X0, X0
	MOVSD        X0, ret+40(FP)
	VZEROUPPER
	RET
