//go:build amd64 && !purego && !d4dcheck

#include "textflag.h"

// Hand-written, with its repetition kept on purpose (DESIGN §8.1): each
// kernel is one fused FFT or filterbank pass whose lanes are four frames,
// so most blocks below differ in which registers hold which butterfly leg
// and in their memory offsets, not only by a loop index; twistDif4AVX2 has a
// second copy of its loop for the identity twist (tdplain), which saves its
// complex multiplies. Generating this file with avo was not attempted: the
// gmm experiment showed that avo's output is only as fast as hand-written
// code when the registers are pinned by hand, which is most of the work.

// func difStageAVX2(re, im, wr, wi []float64, h int)
//
// For each block of 2h lane-groups (4 float64 each) and j < h:
//   a = v[s+j], b = v[s+j+h], w = (wr[j], wi[j])
//   v[s+j] = a + b;  v[s+j+h] = (a − b)·w
TEXT ·difStageAVX2(SB), NOSPLIT, $0-104
	MOVQ re_base+0(FP), SI
	MOVQ re_len+8(FP), CX
	MOVQ im_base+24(FP), DI
	MOVQ wr_base+48(FP), R8
	MOVQ wi_base+72(FP), R9
	MOVQ h+96(FP), DX

	MOVQ DX, R10
	SHLQ $5, R10            // R10 = h·32: byte offset of b from a
	SHRQ $2, CX             // CX = number of lane-groups
	MOVQ DX, R11
	SHLQ $1, R11            // R11 = 2h: lane-groups per block

block:
	CMPQ CX, $0
	JLE  done
	MOVQ SI, AX             // a (real)
	MOVQ DI, BX             // a (imag)
	XORQ R12, R12           // j

inner:
	VBROADCASTSD (R8)(R12*8), Y4  // c
	VBROADCASTSD (R9)(R12*8), Y5  // d
	VMOVUPD (AX), Y0              // ar
	VMOVUPD (BX), Y1              // ai
	VMOVUPD (AX)(R10*1), Y2       // br
	VMOVUPD (BX)(R10*1), Y3       // bi
	VSUBPD  Y2, Y0, Y6            // tr = ar − br
	VSUBPD  Y3, Y1, Y7            // ti = ai − bi
	VADDPD  Y2, Y0, Y0            // ar + br
	VADDPD  Y3, Y1, Y1            // ai + bi
	VMOVUPD Y0, (AX)
	VMOVUPD Y1, (BX)
	VMULPD  Y4, Y6, Y8            // tr·c
	VFNMADD231PD Y5, Y7, Y8       // tr·c − ti·d
	VMULPD  Y4, Y7, Y9            // ti·c
	VFMADD231PD  Y5, Y6, Y9       // ti·c + tr·d
	VMOVUPD Y8, (AX)(R10*1)
	VMOVUPD Y9, (BX)(R10*1)
	ADDQ $32, AX
	ADDQ $32, BX
	INCQ R12
	CMPQ R12, DX
	JLT  inner

	MOVQ R11, R13
	SHLQ $5, R13            // block bytes = 2h·32
	ADDQ R13, SI
	ADDQ R13, DI
	SUBQ R11, CX
	JMP  block

done:
	VZEROUPPER
	RET

// func unpackAVX2(pw, zr, zi []float64, idx []int, cs, sn []float64, ks []int, m int, scale float64)
//
// For each k in ks (1 ≤ k ≤ m/2) with a = idx[k], b = idx[m−k] (element
// offsets, ×4 lanes):
//   er = ar+br, ei = ai−bi, or = ai+bi, oi = br−ar  (twice E and O)
//   t  = (c·or − s·oi, c·oi + s·or)
//   pw[4k]     = |e + t|²·scale
//   pw[4(m−k)] = |e − t|²·scale
// scale includes the 1/4 of the halved E and O.
TEXT ·unpackAVX2(SB), NOSPLIT, $0-152
	MOVQ pw_base+0(FP), DI
	MOVQ zr_base+24(FP), SI
	MOVQ zi_base+48(FP), BX
	MOVQ idx_base+72(FP), R8
	MOVQ tab_base+96(FP), R9
	MOVQ ks_base+120(FP), R15
	MOVQ ks_len+128(FP), R12
	MOVQ m+144(FP), R11

loop:
	CMPQ R12, $0
	JLE  done
	MOVQ (R15), CX          // k
	MOVQ R11, DX
	SUBQ CX, DX             // m − k
	MOVQ (R8)(CX*8), AX     // a
	MOVQ (R8)(DX*8), R13    // b
	LEAQ (CX)(CX*2), R14    // 3k
	VBROADCASTSD (R9)(R14*8), Y12  // (1+s)/2N
	VBROADCASTSD 8(R9)(R14*8), Y13 // (1−s)/2N
	VBROADCASTSD 16(R9)(R14*8), Y14 // c/N
	VMOVUPD (SI)(AX*8), Y0        // ar
	VMOVUPD (BX)(AX*8), Y1        // ai
	VMOVUPD (SI)(R13*8), Y2       // br
	VMOVUPD (BX)(R13*8), Y3       // bi
	VMULPD  Y0, Y0, Y4
	VFMADD231PD Y1, Y1, Y4        // |a|²
	VMULPD  Y2, Y2, Y5
	VFMADD231PD Y3, Y3, Y5        // |b|²
	VMULPD  Y3, Y0, Y6
	VFMADD231PD Y2, Y1, Y6        // x = ar·bi + ai·br
	VMULPD  Y14, Y6, Y7
	VFMADD231PD Y12, Y4, Y7
	VFMADD231PD Y13, Y5, Y7       // P[k]
	VMULPD  Y13, Y4, Y8
	VFMADD231PD Y12, Y5, Y8
	VFNMADD231PD Y14, Y6, Y8      // P[m−k]
	SHLQ $5, CX
	VMOVUPD Y7, (DI)(CX*1)
	SHLQ $5, DX
	VMOVUPD Y8, (DI)(DX*1)
	ADDQ $8, R15
	DECQ R12
	JMP  loop

done:
	VZEROUPPER
	RET

TEXT ·twistAVX2(SB), NOSPLIT, $0-120
	MOVQ sr_base+0(FP), DI
	MOVQ si_base+24(FP), SI
	MOVQ x_base+48(FP), BX
	MOVQ tr_base+72(FP), R8
	MOVQ tr_len+80(FP), CX
	MOVQ ti_base+96(FP), R9
	XORQ AX, AX

tloop:
	CMPQ AX, CX
	JGE  tdone
	VBROADCASTSD (R8)(AX*8), Y4   // c
	VBROADCASTSD (R9)(AX*8), Y5   // s
	VMOVUPD (BX), Y0              // a
	VMOVUPD 32(BX), Y1            // b
	VMULPD  Y4, Y0, Y2            // a·c
	VFNMADD231PD Y5, Y1, Y2       // a·c − b·s
	VMULPD  Y5, Y0, Y3            // a·s
	VFMADD231PD Y4, Y1, Y3        // a·s + b·c
	VMOVUPD Y2, (DI)
	VMOVUPD Y3, (SI)
	ADDQ $64, BX
	ADDQ $32, DI
	ADDQ $32, SI
	INCQ AX
	JMP  tloop

tdone:
	VZEROUPPER
	RET

// func filterAVX2(e, p, w []float64, start, n []int)
//
// For each filter m: e[4m…4m+3] = Σ_{i<n[m]} w[o+i]·p[4(start[m]+i)…],
// where o is the running offset of filter m's weights in w. Four
// accumulators (bins i mod 4) hide the FMA latency.
TEXT ·filterAVX2(SB), NOSPLIT, $0-120
	MOVQ e_base+0(FP), DI
	MOVQ p_base+24(FP), SI
	MOVQ w_base+48(FP), BX
	MOVQ start_base+72(FP), R8
	MOVQ start_len+80(FP), CX
	MOVQ n_base+96(FP), R9
	XORQ AX, AX             // m

floop:
	CMPQ AX, CX
	JGE  fdone
	MOVQ (R8)(AX*8), R10    // start
	SHLQ $5, R10
	ADDQ SI, R10            // &p[4·start]
	MOVQ (R9)(AX*8), R11    // count
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5

wloop4:
	CMPQ R11, $4
	JLT  wloop
	VBROADCASTSD (BX), Y2
	VBROADCASTSD 8(BX), Y3
	VBROADCASTSD 16(BX), Y6
	VBROADCASTSD 24(BX), Y7
	VFMADD231PD (R10), Y2, Y0
	VFMADD231PD 32(R10), Y3, Y1
	VFMADD231PD 64(R10), Y6, Y4
	VFMADD231PD 96(R10), Y7, Y5
	ADDQ $32, BX
	ADDQ $128, R10
	SUBQ $4, R11
	JMP  wloop4

wloop:
	CMPQ R11, $0
	JEQ  wend
	VBROADCASTSD (BX), Y2
	VFMADD231PD (R10), Y2, Y0
	ADDQ $8, BX
	ADDQ $32, R10
	DECQ R11
	JMP  wloop

wend:
	VADDPD Y4, Y0, Y0
	VADDPD Y5, Y1, Y1
	VADDPD Y1, Y0, Y0
	MOVQ AX, R12
	SHLQ $5, R12
	VMOVUPD Y0, (DI)(R12*1)
	INCQ AX
	JMP  floop

fdone:
	VZEROUPPER
	RET

// func difLast2AVX2(re, im []float64)
//
// The last two DIF stages (h = 2, then h = 1) fused, on each block of four
// lane-groups x0…x3 (twiddles 1 and −i only):
//   a0 = x0 + x2, a2 = x0 − x2, a1 = x1 + x3, d = x1 − x3
//   y0 = a0 + a1, y1 = a0 − a1, y2 = a2 − i·d, y3 = a2 + i·d
TEXT ·difLast2AVX2(SB), NOSPLIT, $0-48
	MOVQ re_base+0(FP), SI
	MOVQ re_len+8(FP), CX
	MOVQ im_base+24(FP), DI
	SHRQ $4, CX             // blocks of 4 lane-groups

l2loop:
	CMPQ CX, $0
	JLE  l2done
	VMOVUPD (SI), Y0        // x0 re
	VMOVUPD 32(SI), Y1      // x1 re
	VMOVUPD 64(SI), Y2      // x2 re
	VMOVUPD 96(SI), Y3      // x3 re
	VMOVUPD (DI), Y4        // x0 im
	VMOVUPD 32(DI), Y5
	VMOVUPD 64(DI), Y6
	VMOVUPD 96(DI), Y7
	VADDPD Y2, Y0, Y8       // a0 re
	VSUBPD Y2, Y0, Y9       // a2 re
	VADDPD Y3, Y1, Y10      // a1 re
	VSUBPD Y3, Y1, Y11      // d re
	VADDPD Y6, Y4, Y12      // a0 im
	VSUBPD Y6, Y4, Y13      // a2 im
	VADDPD Y7, Y5, Y14      // a1 im
	VSUBPD Y7, Y5, Y15      // d im
	VADDPD Y10, Y8, Y0      // y0 re
	VSUBPD Y10, Y8, Y1      // y1 re
	VADDPD Y15, Y9, Y2      // y2 re = a2re + d_im
	VSUBPD Y15, Y9, Y3      // y3 re = a2re − d_im
	VADDPD Y14, Y12, Y4     // y0 im
	VSUBPD Y14, Y12, Y5     // y1 im
	VSUBPD Y11, Y13, Y6     // y2 im = a2im − d_re
	VADDPD Y11, Y13, Y7     // y3 im = a2im + d_re
	VMOVUPD Y0, (SI)
	VMOVUPD Y1, 32(SI)
	VMOVUPD Y2, 64(SI)
	VMOVUPD Y3, 96(SI)
	VMOVUPD Y4, (DI)
	VMOVUPD Y5, 32(DI)
	VMOVUPD Y6, 64(DI)
	VMOVUPD Y7, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	DECQ CX
	JMP  l2loop

l2done:
	VZEROUPPER
	RET

// func dif4StageAVX2(re, im, tw []float64, quarter int)
//
// Two DIF stages (half-sizes 2g and g) fused into one radix-4 pass; see
// dif4StageGo for the formulas. tw holds w1, w2, w3 per j, 6 values each.
TEXT ·dif4StageAVX2(SB), NOSPLIT, $0-80
	MOVQ re_base+0(FP), SI
	MOVQ re_len+8(FP), CX
	MOVQ im_base+24(FP), DI
	MOVQ tw_base+48(FP), R9
	MOVQ quarter+72(FP), DX

	MOVQ DX, R10
	SHLQ $5, R10            // G = g·32 bytes
	MOVQ R10, R13
	SHLQ $1, R13            // 2G
	MOVQ R13, R14
	ADDQ R10, R14           // 3G
	SHRQ $2, CX             // lane-groups left
	MOVQ DX, R11
	SHLQ $2, R11            // 4g lane-groups per block

r4block:
	CMPQ CX, $0
	JLE  r4done
	MOVQ SI, AX
	MOVQ DI, BX
	MOVQ R9, R8
	MOVQ DX, R12

	// j = 0: the twiddles are 1.
	VMOVUPD (AX), Y0              // x0r
	VMOVUPD (BX), Y1              // x0i
	VMOVUPD (AX)(R13*1), Y2       // x2r
	VMOVUPD (BX)(R13*1), Y3       // x2i
	VADDPD  Y2, Y0, Y4            // s02r
	VADDPD  Y3, Y1, Y5            // s02i
	VSUBPD  Y2, Y0, Y0            // d02r
	VSUBPD  Y3, Y1, Y1            // d02i
	VMOVUPD (AX)(R10*1), Y2       // x1r
	VMOVUPD (BX)(R10*1), Y3       // x1i
	VMOVUPD (AX)(R14*1), Y6       // x3r
	VMOVUPD (BX)(R14*1), Y7       // x3i
	VADDPD  Y6, Y2, Y8            // s13r
	VADDPD  Y7, Y3, Y9            // s13i
	VSUBPD  Y6, Y2, Y2            // e13r
	VSUBPD  Y7, Y3, Y3            // e13i
	VADDPD  Y8, Y4, Y6            // v0r
	VADDPD  Y9, Y5, Y7            // v0i
	VMOVUPD Y6, (AX)
	VMOVUPD Y7, (BX)
	VSUBPD  Y8, Y4, Y4            // v1r
	VSUBPD  Y9, Y5, Y5            // v1i
	VMOVUPD Y4, (AX)(R10*1)
	VMOVUPD Y5, (BX)(R10*1)
	VADDPD  Y3, Y0, Y8            // v2r = d02r + e13i
	VSUBPD  Y2, Y1, Y9            // v2i = d02i − e13r
	VMOVUPD Y8, (AX)(R13*1)
	VMOVUPD Y9, (BX)(R13*1)
	VSUBPD  Y3, Y0, Y0            // v3r = d02r − e13i
	VADDPD  Y2, Y1, Y1            // v3i = d02i + e13r
	VMOVUPD Y0, (AX)(R14*1)
	VMOVUPD Y1, (BX)(R14*1)
	ADDQ $32, AX
	ADDQ $32, BX
	ADDQ $48, R8
	DECQ R12
	JZ   r4next

r4inner:
	VMOVUPD (AX), Y0              // x0r
	VMOVUPD (BX), Y1              // x0i
	VMOVUPD (AX)(R13*1), Y2       // x2r
	VMOVUPD (BX)(R13*1), Y3       // x2i
	VADDPD  Y2, Y0, Y4            // s02r
	VADDPD  Y3, Y1, Y5            // s02i
	VSUBPD  Y2, Y0, Y0            // d02r
	VSUBPD  Y3, Y1, Y1            // d02i
	VMOVUPD (AX)(R10*1), Y2       // x1r
	VMOVUPD (BX)(R10*1), Y3       // x1i
	VMOVUPD (AX)(R14*1), Y6       // x3r
	VMOVUPD (BX)(R14*1), Y7       // x3i
	VADDPD  Y6, Y2, Y8            // s13r
	VADDPD  Y7, Y3, Y9            // s13i
	VSUBPD  Y6, Y2, Y2            // e13r
	VSUBPD  Y7, Y3, Y3            // e13i
	VADDPD  Y8, Y4, Y6            // v0r
	VADDPD  Y9, Y5, Y7            // v0i
	VMOVUPD Y6, (AX)
	VMOVUPD Y7, (BX)
	VSUBPD  Y8, Y4, Y4            // tr
	VSUBPD  Y9, Y5, Y5            // ti
	VADDPD  Y3, Y0, Y8            // pr = d02r + e13i
	VSUBPD  Y2, Y1, Y9            // pi = d02i − e13r
	VSUBPD  Y3, Y0, Y0            // qr = d02r − e13i
	VADDPD  Y2, Y1, Y1            // qi = d02i + e13r

	VBROADCASTSD 16(R8), Y10      // w2
	VBROADCASTSD 24(R8), Y11
	VMULPD  Y10, Y4, Y12
	VFNMADD231PD Y11, Y5, Y12
	VMULPD  Y10, Y5, Y13
	VFMADD231PD  Y11, Y4, Y13
	VMOVUPD Y12, (AX)(R10*1)
	VMOVUPD Y13, (BX)(R10*1)

	VBROADCASTSD (R8), Y10        // w1
	VBROADCASTSD 8(R8), Y11
	VMULPD  Y10, Y8, Y12
	VFNMADD231PD Y11, Y9, Y12
	VMULPD  Y10, Y9, Y13
	VFMADD231PD  Y11, Y8, Y13
	VMOVUPD Y12, (AX)(R13*1)
	VMOVUPD Y13, (BX)(R13*1)

	VBROADCASTSD 32(R8), Y10      // w3
	VBROADCASTSD 40(R8), Y11
	VMULPD  Y10, Y0, Y12
	VFNMADD231PD Y11, Y1, Y12
	VMULPD  Y10, Y1, Y13
	VFMADD231PD  Y11, Y0, Y13
	VMOVUPD Y12, (AX)(R14*1)
	VMOVUPD Y13, (BX)(R14*1)

	ADDQ $32, AX
	ADDQ $32, BX
	ADDQ $48, R8
	DECQ R12
	JNZ  r4inner

r4next:
	MOVQ R10, R15
	SHLQ $2, R15            // 4G bytes per block
	ADDQ R15, SI
	ADDQ R15, DI
	SUBQ R11, CX
	JMP  r4block

r4done:
	VZEROUPPER
	RET

// Constants for log10AVX2.
DATA logc<>+0(SB)/8, $0x000FFFFFFFFFFFFF   // mantissa mask
DATA logc<>+8(SB)/8, $0x3FF0000000000000   // 1.0
DATA logc<>+16(SB)/8, $0x4330000000000000  // 2^52 (exponent trick)
DATA logc<>+24(SB)/8, $4503599627371519.0  // 2^52 + 1023
DATA logc<>+32(SB)/8, $1.4142135623730951  // √2
DATA logc<>+40(SB)/8, $0.5
DATA logc<>+48(SB)/8, $0.6931471805599453  // ln 2
DATA logc<>+56(SB)/8, $0.4342944819032518  // 1/ln 10
DATA logc<>+64(SB)/8, $2.220446049250313e-16   // eps
DATA logc<>+72(SB)/8, $2.2250738585072014e-308 // smallest normal
DATA logc<>+80(SB)/8, $0.06666666666666667  // 1/15
DATA logc<>+88(SB)/8, $0.07692307692307693  // 1/13
DATA logc<>+96(SB)/8, $0.09090909090909091  // 1/11
DATA logc<>+104(SB)/8, $0.1111111111111111  // 1/9
DATA logc<>+112(SB)/8, $0.14285714285714285 // 1/7
DATA logc<>+120(SB)/8, $0.2                 // 1/5
DATA logc<>+128(SB)/8, $0.3333333333333333  // 1/3
DATA logc<>+136(SB)/8, $2.0
GLOBL logc<>(SB), RODATA|NOPTR, $144

// func log10AVX2(dst []float32, src []float64)
//
// dst[i] = float32(log10(src[i])) for len(src) (a multiple of 4) values ≥ 0,
// exact zeros replaced by eps (and subnormals raised to the smallest normal).
// With x = 2^e·m, m ∈ [√½, √2): ln x = e·ln 2 + 2·atanh(u), u = (m−1)/(m+1),
// 2·atanh(u) = 2u·Σ_{k=0}^{7} u^{2k}/(2k+1) (|u| ≤ 0.1716: error < 1e-14).
TEXT ·log10AVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	SHRQ $2, CX
	VBROADCASTSD logc<>+64(SB), Y14    // eps
	VBROADCASTSD logc<>+72(SB), Y15    // min normal
	VXORPD Y13, Y13, Y13               // 0

lgloop:
	CMPQ CX, $0
	JLE  lgdone
	VMOVUPD (SI), Y0
	VCMPPD $0, Y13, Y0, Y1             // x == 0
	VBLENDVPD Y1, Y14, Y0, Y0          // zeros → eps
	VMAXPD Y15, Y0, Y0                 // subnormals → min normal
	// exponent e = (bits >> 52) − 1023 as a double
	VPSRLQ $52, Y0, Y2
	VBROADCASTSD logc<>+16(SB), Y3
	VPOR Y3, Y2, Y2
	VBROADCASTSD logc<>+24(SB), Y3
	VSUBPD Y3, Y2, Y2                  // e
	// mantissa m ∈ [1, 2)
	VBROADCASTSD logc<>+0(SB), Y3
	VPAND Y3, Y0, Y0
	VBROADCASTSD logc<>+8(SB), Y4      // 1.0
	VPOR Y4, Y0, Y0
	// m > √2 → m/2, e+1
	VBROADCASTSD logc<>+32(SB), Y3
	VCMPPD $0x1E, Y3, Y0, Y5           // m > √2 (GT_OQ)
	VBROADCASTSD logc<>+40(SB), Y3
	VMULPD Y3, Y0, Y6
	VBLENDVPD Y5, Y6, Y0, Y0
	VANDPD Y4, Y5, Y5                  // 1.0 where adjusted
	VADDPD Y5, Y2, Y2
	// u = (m − 1)/(m + 1), z = u²
	VSUBPD Y4, Y0, Y6
	VADDPD Y4, Y0, Y7
	VDIVPD Y7, Y6, Y6                  // u
	VMULPD Y6, Y6, Y7                  // z
	// p = ((((((1/15·z + 1/13)z + 1/11)z + 1/9)z + 1/7)z + 1/5)z + 1/3)z + 1
	VBROADCASTSD logc<>+80(SB), Y8
	VBROADCASTSD logc<>+88(SB), Y9
	VFMADD213PD Y9, Y7, Y8
	VBROADCASTSD logc<>+96(SB), Y9
	VFMADD213PD Y9, Y7, Y8
	VBROADCASTSD logc<>+104(SB), Y9
	VFMADD213PD Y9, Y7, Y8
	VBROADCASTSD logc<>+112(SB), Y9
	VFMADD213PD Y9, Y7, Y8
	VBROADCASTSD logc<>+120(SB), Y9
	VFMADD213PD Y9, Y7, Y8
	VBROADCASTSD logc<>+128(SB), Y9
	VFMADD213PD Y9, Y7, Y8
	VFMADD213PD Y4, Y7, Y8             // p
	VMULPD Y8, Y6, Y8                  // u·p
	VBROADCASTSD logc<>+136(SB), Y9
	VMULPD Y9, Y8, Y8                  // ln m = 2u·p
	VBROADCASTSD logc<>+48(SB), Y9
	VFMADD231PD Y9, Y2, Y8             // ln x = e·ln2 + ln m
	VBROADCASTSD logc<>+56(SB), Y9
	VMULPD Y9, Y8, Y8                  // log10 x
	VCVTPD2PSY Y8, X8
	VMOVUPS X8, (DI)
	ADDQ $32, SI
	ADDQ $16, DI
	DECQ CX
	JMP  lgloop

lgdone:
	VZEROUPPER
	RET

// func twistDif4AVX2(sr, si, x, tr, ti, tw []float64, quarter, j3, plain int)
//
// twistAVX2 fused into the first radix-4 DIF pass of one sub-transform of
// 4g elements (g = quarter): for j < g and i < 4, with n = j + i·g,
//   x_i = (x[8n…8n+3] + i·x[8n+4…8n+7])·(tr[n] + i·ti[n])
// then dif4StageAVX2's butterfly on x0…x3 with tw[6j…6j+5], written to
// sr/si. x and the twist tables cover all 4g elements (zeros past the
// frame); x3 is taken as zero for j ≥ j3 (past the frame: nothing read).
// plain ≠ 0 says the twist is the identity (r = 0): nothing multiplied.
TEXT ·twistDif4AVX2(SB), NOSPLIT, $0-168
	MOVQ sr_base+0(FP), AX
	MOVQ si_base+24(FP), BX
	MOVQ x_base+48(FP), SI
	MOVQ tr_base+72(FP), R8
	MOVQ ti_base+96(FP), R9
	MOVQ tw_base+120(FP), DI
	MOVQ quarter+144(FP), DX
	MOVQ j3+152(FP), R12

	MOVQ DX, R10
	SHLQ $5, R10            // G = g·32 bytes (output stride)
	MOVQ R10, R13
	SHLQ $1, R13            // 2G
	MOVQ R13, R14
	ADDQ R10, R14           // 3G
	MOVQ DX, R15
	SHLQ $6, R15            // g·64 bytes (input stride)
	MOVQ DX, CX
	SHLQ $3, CX             // g·8 bytes (twist-table stride)
	SUBQ R12, DX            // j ≥ j3 iterations, after
	CMPQ plain+160(FP), $0
	JNE  tdplain
	CMPQ R12, $0
	JEQ  tdzero

tdloop:
	// x0 (n = j)
	VBROADCASTSD (R8), Y14
	VBROADCASTSD (R9), Y15
	VMOVUPD (SI), Y12
	VMOVUPD 32(SI), Y13
	VMULPD  Y14, Y12, Y0
	VFNMADD231PD Y15, Y13, Y0     // x0r
	VMULPD  Y15, Y12, Y1
	VFMADD231PD Y14, Y13, Y1      // x0i
	// x2 (n = j + 2g)
	VBROADCASTSD (R8)(CX*2), Y14
	VBROADCASTSD (R9)(CX*2), Y15
	VMOVUPD (SI)(R15*2), Y12
	VMOVUPD 32(SI)(R15*2), Y13
	VMULPD  Y14, Y12, Y2
	VFNMADD231PD Y15, Y13, Y2     // x2r
	VMULPD  Y15, Y12, Y3
	VFMADD231PD Y14, Y13, Y3      // x2i
	VADDPD  Y2, Y0, Y4            // s02r
	VADDPD  Y3, Y1, Y5            // s02i
	VSUBPD  Y2, Y0, Y0            // d02r
	VSUBPD  Y3, Y1, Y1            // d02i
	// x1 (n = j + g)
	VBROADCASTSD (R8)(CX*1), Y14
	VBROADCASTSD (R9)(CX*1), Y15
	VMOVUPD (SI)(R15*1), Y12
	VMOVUPD 32(SI)(R15*1), Y13
	VMULPD  Y14, Y12, Y2
	VFNMADD231PD Y15, Y13, Y2     // x1r
	VMULPD  Y15, Y12, Y3
	VFMADD231PD Y14, Y13, Y3      // x1i
	// x3 (n = j + 3g): table and input offsets 3g = g + 2g
	LEAQ (R8)(CX*2), R11
	VBROADCASTSD (R11)(CX*1), Y14
	LEAQ (R9)(CX*2), R11
	VBROADCASTSD (R11)(CX*1), Y15
	LEAQ (SI)(R15*2), R11
	VMOVUPD (R11)(R15*1), Y12
	VMOVUPD 32(R11)(R15*1), Y13
	VMULPD  Y14, Y12, Y6
	VFNMADD231PD Y15, Y13, Y6     // x3r
	VMULPD  Y15, Y12, Y7
	VFMADD231PD Y14, Y13, Y7      // x3i

	VADDPD  Y6, Y2, Y8            // s13r
	VADDPD  Y7, Y3, Y9            // s13i
	VSUBPD  Y6, Y2, Y2            // e13r
	VSUBPD  Y7, Y3, Y3            // e13i
	VADDPD  Y8, Y4, Y6            // v0r
	VADDPD  Y9, Y5, Y7            // v0i
	VMOVUPD Y6, (AX)
	VMOVUPD Y7, (BX)
	VSUBPD  Y8, Y4, Y4            // tr
	VSUBPD  Y9, Y5, Y5            // ti
	VADDPD  Y3, Y0, Y8            // pr = d02r + e13i
	VSUBPD  Y2, Y1, Y9            // pi = d02i − e13r
	VSUBPD  Y3, Y0, Y0            // qr = d02r − e13i
	VADDPD  Y2, Y1, Y1            // qi = d02i + e13r

	VBROADCASTSD 16(DI), Y10      // w2
	VBROADCASTSD 24(DI), Y11
	VMULPD  Y10, Y4, Y12
	VFNMADD231PD Y11, Y5, Y12
	VMULPD  Y10, Y5, Y13
	VFMADD231PD  Y11, Y4, Y13
	VMOVUPD Y12, (AX)(R10*1)
	VMOVUPD Y13, (BX)(R10*1)

	VBROADCASTSD (DI), Y10        // w1
	VBROADCASTSD 8(DI), Y11
	VMULPD  Y10, Y8, Y12
	VFNMADD231PD Y11, Y9, Y12
	VMULPD  Y10, Y9, Y13
	VFMADD231PD  Y11, Y8, Y13
	VMOVUPD Y12, (AX)(R13*1)
	VMOVUPD Y13, (BX)(R13*1)

	VBROADCASTSD 32(DI), Y10      // w3
	VBROADCASTSD 40(DI), Y11
	VMULPD  Y10, Y0, Y12
	VFNMADD231PD Y11, Y1, Y12
	VMULPD  Y10, Y1, Y13
	VFMADD231PD  Y11, Y0, Y13
	VMOVUPD Y12, (AX)(R14*1)
	VMOVUPD Y13, (BX)(R14*1)

	ADDQ $32, AX
	ADDQ $32, BX
	ADDQ $64, SI
	ADDQ $8, R8
	ADDQ $8, R9
	ADDQ $48, DI
	DECQ R12
	JNZ  tdloop

tdzero:
	CMPQ DX, $0
	JEQ  tddone

tdloop0:
	// x0 (n = j)
	VBROADCASTSD (R8), Y14
	VBROADCASTSD (R9), Y15
	VMOVUPD (SI), Y12
	VMOVUPD 32(SI), Y13
	VMULPD  Y14, Y12, Y0
	VFNMADD231PD Y15, Y13, Y0     // x0r
	VMULPD  Y15, Y12, Y1
	VFMADD231PD Y14, Y13, Y1      // x0i
	// x2 (n = j + 2g)
	VBROADCASTSD (R8)(CX*2), Y14
	VBROADCASTSD (R9)(CX*2), Y15
	VMOVUPD (SI)(R15*2), Y12
	VMOVUPD 32(SI)(R15*2), Y13
	VMULPD  Y14, Y12, Y2
	VFNMADD231PD Y15, Y13, Y2     // x2r
	VMULPD  Y15, Y12, Y3
	VFMADD231PD Y14, Y13, Y3      // x2i
	VADDPD  Y2, Y0, Y4            // s02r
	VADDPD  Y3, Y1, Y5            // s02i
	VSUBPD  Y2, Y0, Y0            // d02r
	VSUBPD  Y3, Y1, Y1            // d02i
	// x1 (n = j + g)
	VBROADCASTSD (R8)(CX*1), Y14
	VBROADCASTSD (R9)(CX*1), Y15
	VMOVUPD (SI)(R15*1), Y12
	VMOVUPD 32(SI)(R15*1), Y13
	VMULPD  Y14, Y12, Y2
	VFNMADD231PD Y15, Y13, Y2     // x1r
	VMULPD  Y15, Y12, Y3
	VFMADD231PD Y14, Y13, Y3      // x1i
	// x3 = 0: s13 = e13 = x1
	VMOVAPD Y2, Y8                // s13r
	VMOVAPD Y3, Y9                // s13i
	VADDPD  Y8, Y4, Y6            // v0r
	VADDPD  Y9, Y5, Y7            // v0i
	VMOVUPD Y6, (AX)
	VMOVUPD Y7, (BX)
	VSUBPD  Y8, Y4, Y4            // tr
	VSUBPD  Y9, Y5, Y5            // ti
	VADDPD  Y3, Y0, Y8            // pr = d02r + e13i
	VSUBPD  Y2, Y1, Y9            // pi = d02i − e13r
	VSUBPD  Y3, Y0, Y0            // qr = d02r − e13i
	VADDPD  Y2, Y1, Y1            // qi = d02i + e13r

	VBROADCASTSD 16(DI), Y10      // w2
	VBROADCASTSD 24(DI), Y11
	VMULPD  Y10, Y4, Y12
	VFNMADD231PD Y11, Y5, Y12
	VMULPD  Y10, Y5, Y13
	VFMADD231PD  Y11, Y4, Y13
	VMOVUPD Y12, (AX)(R10*1)
	VMOVUPD Y13, (BX)(R10*1)

	VBROADCASTSD (DI), Y10        // w1
	VBROADCASTSD 8(DI), Y11
	VMULPD  Y10, Y8, Y12
	VFNMADD231PD Y11, Y9, Y12
	VMULPD  Y10, Y9, Y13
	VFMADD231PD  Y11, Y8, Y13
	VMOVUPD Y12, (AX)(R13*1)
	VMOVUPD Y13, (BX)(R13*1)

	VBROADCASTSD 32(DI), Y10      // w3
	VBROADCASTSD 40(DI), Y11
	VMULPD  Y10, Y0, Y12
	VFNMADD231PD Y11, Y1, Y12
	VMULPD  Y10, Y1, Y13
	VFMADD231PD  Y11, Y0, Y13
	VMOVUPD Y12, (AX)(R14*1)
	VMOVUPD Y13, (BX)(R14*1)

	ADDQ $32, AX
	ADDQ $32, BX
	ADDQ $64, SI
	ADDQ $8, R8
	ADDQ $8, R9
	ADDQ $48, DI
	DECQ DX
	JNZ  tdloop0

tddone:
	VZEROUPPER
	RET

// plain (r = 0): the twist is the identity, x_i read as they are.
tdplain:
	CMPQ R12, $0
	JEQ  tdpzero

tdploop:
	// x0 (n = j)
	VMOVUPD (SI), Y0
	VMOVUPD 32(SI), Y1
	// x2 (n = j + 2g)
	VMOVUPD (SI)(R15*2), Y2
	VMOVUPD 32(SI)(R15*2), Y3
	VADDPD  Y2, Y0, Y4            // s02r
	VADDPD  Y3, Y1, Y5            // s02i
	VSUBPD  Y2, Y0, Y0            // d02r
	VSUBPD  Y3, Y1, Y1            // d02i
	// x1 (n = j + g)
	VMOVUPD (SI)(R15*1), Y2
	VMOVUPD 32(SI)(R15*1), Y3
	// x3 (n = j + 3g): table and input offsets 3g = g + 2g
	LEAQ (SI)(R15*2), R11
	VMOVUPD (R11)(R15*1), Y6
	VMOVUPD 32(R11)(R15*1), Y7

	VADDPD  Y6, Y2, Y8            // s13r
	VADDPD  Y7, Y3, Y9            // s13i
	VSUBPD  Y6, Y2, Y2            // e13r
	VSUBPD  Y7, Y3, Y3            // e13i
	VADDPD  Y8, Y4, Y6            // v0r
	VADDPD  Y9, Y5, Y7            // v0i
	VMOVUPD Y6, (AX)
	VMOVUPD Y7, (BX)
	VSUBPD  Y8, Y4, Y4            // tr
	VSUBPD  Y9, Y5, Y5            // ti
	VADDPD  Y3, Y0, Y8            // pr = d02r + e13i
	VSUBPD  Y2, Y1, Y9            // pi = d02i − e13r
	VSUBPD  Y3, Y0, Y0            // qr = d02r − e13i
	VADDPD  Y2, Y1, Y1            // qi = d02i + e13r

	VBROADCASTSD 16(DI), Y10      // w2
	VBROADCASTSD 24(DI), Y11
	VMULPD  Y10, Y4, Y12
	VFNMADD231PD Y11, Y5, Y12
	VMULPD  Y10, Y5, Y13
	VFMADD231PD  Y11, Y4, Y13
	VMOVUPD Y12, (AX)(R10*1)
	VMOVUPD Y13, (BX)(R10*1)

	VBROADCASTSD (DI), Y10        // w1
	VBROADCASTSD 8(DI), Y11
	VMULPD  Y10, Y8, Y12
	VFNMADD231PD Y11, Y9, Y12
	VMULPD  Y10, Y9, Y13
	VFMADD231PD  Y11, Y8, Y13
	VMOVUPD Y12, (AX)(R13*1)
	VMOVUPD Y13, (BX)(R13*1)

	VBROADCASTSD 32(DI), Y10      // w3
	VBROADCASTSD 40(DI), Y11
	VMULPD  Y10, Y0, Y12
	VFNMADD231PD Y11, Y1, Y12
	VMULPD  Y10, Y1, Y13
	VFMADD231PD  Y11, Y0, Y13
	VMOVUPD Y12, (AX)(R14*1)
	VMOVUPD Y13, (BX)(R14*1)

	ADDQ $32, AX
	ADDQ $32, BX
	ADDQ $64, SI
	ADDQ $8, R8
	ADDQ $8, R9
	ADDQ $48, DI
	DECQ R12
	JNZ  tdploop

tdpzero:
	CMPQ DX, $0
	JEQ  tdpdone

tdploop0:
	// x0 (n = j)
	VMOVUPD (SI), Y0
	VMOVUPD 32(SI), Y1
	// x2 (n = j + 2g)
	VMOVUPD (SI)(R15*2), Y2
	VMOVUPD 32(SI)(R15*2), Y3
	VADDPD  Y2, Y0, Y4            // s02r
	VADDPD  Y3, Y1, Y5            // s02i
	VSUBPD  Y2, Y0, Y0            // d02r
	VSUBPD  Y3, Y1, Y1            // d02i
	// x1 (n = j + g)
	VMOVUPD (SI)(R15*1), Y2
	VMOVUPD 32(SI)(R15*1), Y3
	// x3 = 0: s13 = e13 = x1
	VMOVAPD Y2, Y8                // s13r
	VMOVAPD Y3, Y9                // s13i
	VADDPD  Y8, Y4, Y6            // v0r
	VADDPD  Y9, Y5, Y7            // v0i
	VMOVUPD Y6, (AX)
	VMOVUPD Y7, (BX)
	VSUBPD  Y8, Y4, Y4            // tr
	VSUBPD  Y9, Y5, Y5            // ti
	VADDPD  Y3, Y0, Y8            // pr = d02r + e13i
	VSUBPD  Y2, Y1, Y9            // pi = d02i − e13r
	VSUBPD  Y3, Y0, Y0            // qr = d02r − e13i
	VADDPD  Y2, Y1, Y1            // qi = d02i + e13r

	VBROADCASTSD 16(DI), Y10      // w2
	VBROADCASTSD 24(DI), Y11
	VMULPD  Y10, Y4, Y12
	VFNMADD231PD Y11, Y5, Y12
	VMULPD  Y10, Y5, Y13
	VFMADD231PD  Y11, Y4, Y13
	VMOVUPD Y12, (AX)(R10*1)
	VMOVUPD Y13, (BX)(R10*1)

	VBROADCASTSD (DI), Y10        // w1
	VBROADCASTSD 8(DI), Y11
	VMULPD  Y10, Y8, Y12
	VFNMADD231PD Y11, Y9, Y12
	VMULPD  Y10, Y9, Y13
	VFMADD231PD  Y11, Y8, Y13
	VMOVUPD Y12, (AX)(R13*1)
	VMOVUPD Y13, (BX)(R13*1)

	VBROADCASTSD 32(DI), Y10      // w3
	VBROADCASTSD 40(DI), Y11
	VMULPD  Y10, Y0, Y12
	VFNMADD231PD Y11, Y1, Y12
	VMULPD  Y10, Y1, Y13
	VFMADD231PD  Y11, Y0, Y13
	VMOVUPD Y12, (AX)(R14*1)
	VMOVUPD Y13, (BX)(R14*1)

	ADDQ $32, AX
	ADDQ $32, BX
	ADDQ $64, SI
	ADDQ $8, R8
	ADDQ $8, R9
	ADDQ $48, DI
	DECQ DX
	JNZ  tdploop0

tdpdone:
	VZEROUPPER
	RET

// func windowAVX2(xb []float64, x []float32, w []float64, hop int)
//
// Transposes 4 frames into the lanes, windowed: for i < len(w) (a
// multiple of 4) and l < 4,
//   xb[4i+l] = float64(x[l·hop + i])·w[i]
// 4 samples of each frame at a time: a 4×4 transpose by unpacks (gathers
// are slow on CPUs with the gather-data-sampling mitigation). The caller
// checks that x is long enough.
TEXT ·windowAVX2(SB), NOSPLIT, $0-80
	MOVQ xb_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ w_base+48(FP), R8
	MOVQ w_len+56(FP), CX
	MOVQ hop+72(FP), R10
	SHLQ $2, R10              // hop in bytes
	LEAQ (R10)(R10*2), R12    // 3·hop bytes
	SHRQ $2, CX

wloop:
	CMPQ CX, $0
	JLE  wdone
	VMOVUPS (SI), X0              // a0…a3
	VMOVUPS (SI)(R10*1), X1       // b
	VMOVUPS (SI)(R10*2), X2       // c
	VMOVUPS (SI)(R12*1), X3       // d
	VUNPCKLPS X1, X0, X4          // a0 b0 a1 b1
	VUNPCKHPS X1, X0, X5          // a2 b2 a3 b3
	VUNPCKLPS X3, X2, X6          // c0 d0 c1 d1
	VUNPCKHPS X3, X2, X7          // c2 d2 c3 d3
	VUNPCKLPD X6, X4, X0          // a0 b0 c0 d0
	VUNPCKHPD X6, X4, X1          // a1 b1 c1 d1
	VUNPCKLPD X7, X5, X2          // a2 b2 c2 d2
	VUNPCKHPD X7, X5, X3          // a3 b3 c3 d3
	VCVTPS2PD X0, Y0
	VCVTPS2PD X1, Y1
	VCVTPS2PD X2, Y2
	VCVTPS2PD X3, Y3
	VBROADCASTSD (R8), Y4
	VBROADCASTSD 8(R8), Y5
	VBROADCASTSD 16(R8), Y6
	VBROADCASTSD 24(R8), Y7
	VMULPD Y4, Y0, Y0
	VMULPD Y5, Y1, Y1
	VMULPD Y6, Y2, Y2
	VMULPD Y7, Y3, Y3
	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	VMOVUPD Y3, 96(DI)
	ADDQ $16, SI
	ADDQ $32, R8
	ADDQ $128, DI
	DECQ CX
	JMP  wloop

wdone:
	VZEROUPPER
	RET

// func synthStageAVX2(re, im, wr, wi []float32, h int)
//
// One radix-2 stage of the CQT's inverse FFT (synthStageGo), eight j at a
// time; h is a multiple of 8. For each block of 2h values and j < h:
//   t = (c·rb − d·ib, c·ib + d·rb), c, d = wr[j], wi[j]
//   v[s+j] = a + t;  v[s+j+h] = a − t
// Products and sums are rounded separately (no FMA), as in the Go version,
// so the results are bit-identical.
TEXT ·synthStageAVX2(SB), NOSPLIT, $0-104
	MOVQ re_base+0(FP), SI
	MOVQ re_len+8(FP), CX
	MOVQ im_base+24(FP), DI
	MOVQ wr_base+48(FP), R8
	MOVQ wi_base+72(FP), R9
	MOVQ h+96(FP), DX

	MOVQ DX, R10
	SHLQ $2, R10            // R10 = h·4: byte offset of b from a
	MOVQ DX, R11
	SHLQ $1, R11            // R11 = 2h: values per block

ssblock:
	CMPQ CX, R11
	JLT  ssdone
	MOVQ SI, AX             // a (real)
	MOVQ DI, BX             // a (imag)
	XORQ R12, R12           // j

ssinner:
	VMOVUPS (R8)(R12*4), Y4       // c
	VMOVUPS (R9)(R12*4), Y5       // d
	VMOVUPS (AX)(R10*1), Y2       // rb
	VMOVUPS (BX)(R10*1), Y3       // ib
	VMULPS  Y4, Y2, Y6            // c·rb
	VMULPS  Y5, Y3, Y7            // d·ib
	VSUBPS  Y7, Y6, Y6            // tr = c·rb − d·ib
	VMULPS  Y4, Y3, Y8            // c·ib
	VMULPS  Y5, Y2, Y9            // d·rb
	VADDPS  Y9, Y8, Y8            // ti = c·ib + d·rb
	VMOVUPS (AX), Y0              // ra
	VMOVUPS (BX), Y1              // ia
	VADDPS  Y6, Y0, Y10           // ra + tr
	VADDPS  Y8, Y1, Y11           // ia + ti
	VSUBPS  Y6, Y0, Y0            // ra − tr
	VSUBPS  Y8, Y1, Y1            // ia − ti
	VMOVUPS Y10, (AX)
	VMOVUPS Y11, (BX)
	VMOVUPS Y0, (AX)(R10*1)
	VMOVUPS Y1, (BX)(R10*1)
	ADDQ $32, AX
	ADDQ $32, BX
	ADDQ $8, R12
	CMPQ R12, DX
	JLT  ssinner

	LEAQ (SI)(R10*2), SI    // next block: 2h values on
	LEAQ (DI)(R10*2), DI
	SUBQ R11, CX
	JMP  ssblock

ssdone:
	VZEROUPPER
	RET

// func projectAVX2(out, proj []float64, logP []float32, pairs, k, nf, m8 int)
//
// The CQCC's cepstral projection (projectBinsGo) for coefficients
// 0 … 2·pairs−1 and frames 0 … m8−1 (m8 a multiple of 8, k ≥ 1), two
// coefficients × eight frames per block:
//   acc[c][m] += proj[n+c][b]·float64(logP[b·nf + m]),  b = 0 … k−1 in order
// Products and sums are rounded separately (no FMA) and start from +0, as in
// the Go version, so the results are bit-identical.
TEXT ·projectAVX2(SB), NOSPLIT, $0-104
	MOVQ out_base+0(FP), DI
	MOVQ proj_base+24(FP), SI
	MOVQ logP_base+48(FP), DX
	MOVQ pairs+72(FP), R8
	MOVQ k+80(FP), R9
	MOVQ nf+88(FP), R10
	MOVQ m8+96(FP), R11

	MOVQ R9, R12
	SHLQ $3, R12            // R12 = k·8: a proj row
	MOVQ R10, R13
	SHLQ $3, R13            // R13 = nf·8: an out row
	MOVQ R10, R14
	SHLQ $2, R14            // R14 = nf·4: a logP row (one bin)

pjpair:
	CMPQ R8, $0
	JLE  pjdone
	XORQ AX, AX             // m

pjm:
	CMPQ AX, R11
	JGE  pjnext
	VXORPD Y0, Y0, Y0       // coefficient n, frames m … m+3
	VXORPD Y1, Y1, Y1       // coefficient n, frames m+4 … m+7
	VXORPD Y2, Y2, Y2       // coefficient n+1, frames m … m+3
	VXORPD Y3, Y3, Y3       // coefficient n+1, frames m+4 … m+7
	LEAQ (DX)(AX*4), BX     // &logP[0·nf + m]
	MOVQ SI, CX             // &proj[n·k + 0]
	LEAQ (SI)(R12*1), R10   // end of proj row n

pjb:
	VCVTPS2PD (BX), Y4      // logP[b·nf + m … m+3]
	VCVTPS2PD 16(BX), Y5    // logP[b·nf + m+4 … m+7]
	VBROADCASTSD (CX), Y6          // proj[n][b]
	VBROADCASTSD (CX)(R12*1), Y7   // proj[n+1][b]
	VMULPD Y6, Y4, Y8
	VADDPD Y8, Y0, Y0
	VMULPD Y6, Y5, Y9
	VADDPD Y9, Y1, Y1
	VMULPD Y7, Y4, Y10
	VADDPD Y10, Y2, Y2
	VMULPD Y7, Y5, Y11
	VADDPD Y11, Y3, Y3
	ADDQ R14, BX
	ADDQ $8, CX
	CMPQ CX, R10
	JLT  pjb

	LEAQ (DI)(AX*8), BX     // &out[n·nf + m]
	VMOVUPD Y0, (BX)
	VMOVUPD Y1, 32(BX)
	VMOVUPD Y2, (BX)(R13*1)
	VMOVUPD Y3, 32(BX)(R13*1)
	ADDQ $8, AX
	JMP  pjm

pjnext:
	LEAQ (SI)(R12*2), SI    // two proj rows on
	LEAQ (DI)(R13*2), DI    // two out rows on
	DECQ R8
	JMP  pjpair

pjdone:
	VZEROUPPER
	RET

// func logPowers4AVX2(dst []float32, re, im []float32, scale float64, tab *[18][4]uint64)
//
// logPowers, four values at a time (len(re) a multiple of 4); tab is
// logPowerTab (32 bytes per constant). The same rounded operations in the
// same order as the Go version (no FMA), so the results are bit-identical:
//   x = (r·r + i·i)·scale + eps;  ix = bits(x) + (1.0 − √½ bits)
//   e = (2^52 | ix>>52) − (2^52 + 1023);  u = float(ix & (2^52−1) + √½ bits) − 1
//   dst = float32(e·ln 2 + u·P(u))
TEXT ·logPowers4AVX2(SB), NOSPLIT, $0-88
	MOVQ dst_base+0(FP), DI
	MOVQ re_base+24(FP), SI
	MOVQ re_len+32(FP), CX
	MOVQ im_base+48(FP), DX
	VBROADCASTSD scale+72(FP), Y15
	MOVQ tab+80(FP), AX
	XORQ BX, BX

lploop:
	CMPQ BX, CX
	JGE  lpdone
	VCVTPS2PD (SI)(BX*4), Y0      // r
	VCVTPS2PD (DX)(BX*4), Y1      // i
	VMULPD  Y0, Y0, Y0            // r·r
	VMULPD  Y1, Y1, Y1            // i·i
	VADDPD  Y1, Y0, Y0
	VMULPD  Y15, Y0, Y0           // ·scale
	VADDPD  0(AX), Y0, Y0         // + eps: x
	VPADDQ  128(AX), Y0, Y0       // ix
	VPSRLQ  $52, Y0, Y1
	VPOR    224(AX), Y1, Y1       // 2^52 + (ix>>52)
	VSUBPD  96(AX), Y1, Y1        // e
	VPAND   160(AX), Y0, Y0
	VPADDQ  192(AX), Y0, Y0
	VSUBPD  32(AX), Y0, Y0        // u
	VMOVUPD 256(AX), Y2           // P, Horner
	VMULPD  Y0, Y2, Y2
	VADDPD  288(AX), Y2, Y2
	VMULPD  Y0, Y2, Y2
	VADDPD  320(AX), Y2, Y2
	VMULPD  Y0, Y2, Y2
	VADDPD  352(AX), Y2, Y2
	VMULPD  Y0, Y2, Y2
	VADDPD  384(AX), Y2, Y2
	VMULPD  Y0, Y2, Y2
	VADDPD  416(AX), Y2, Y2
	VMULPD  Y0, Y2, Y2
	VADDPD  448(AX), Y2, Y2
	VMULPD  Y0, Y2, Y2
	VADDPD  480(AX), Y2, Y2
	VMULPD  Y0, Y2, Y2
	VADDPD  512(AX), Y2, Y2
	VMULPD  Y0, Y2, Y2
	VADDPD  544(AX), Y2, Y2
	VMULPD  64(AX), Y1, Y1        // e·ln 2
	VMULPD  Y0, Y2, Y2            // u·P(u)
	VADDPD  Y2, Y1, Y1
	VCVTPD2PSY Y1, X1
	VMOVUPS X1, (DI)(BX*4)
	ADDQ $4, BX
	JMP  lploop

lpdone:
	VZEROUPPER
	RET
