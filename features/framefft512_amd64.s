#include "textflag.h"

// AVX-512 kernels on the same 4-lane layout as the AVX2 ones: one ZMM
// register holds two consecutive lane-groups (elements j and j+1 of the 4
// frames), so twiddles come from tables expanded to 8 values per register
// (see frameFFT.r4Tw8).

// func dif4StageAVX512(re, im, tw8 []float64, quarter int)
//
// dif4StageGo for two j at a time; tw8 holds, per pair of j, the six
// registers w1r, w1i, w2r, w2i, w3r, w3i (48 values). quarter = g is even.
TEXT ·dif4StageAVX512(SB), NOSPLIT, $0-80
	MOVQ re_base+0(FP), SI
	MOVQ re_len+8(FP), CX
	MOVQ im_base+24(FP), DI
	MOVQ tw8_base+48(FP), R9
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
	SHRQ $1, DX             // pairs of j per block

zr4block:
	CMPQ CX, $0
	JLE  zr4done
	MOVQ SI, AX
	MOVQ DI, BX
	MOVQ R9, R8
	MOVQ DX, R12

zr4inner:
	VMOVUPD (AX), Z0              // x0r
	VMOVUPD (BX), Z1              // x0i
	VMOVUPD (AX)(R13*1), Z2       // x2r
	VMOVUPD (BX)(R13*1), Z3       // x2i
	VADDPD  Z2, Z0, Z4            // s02r
	VADDPD  Z3, Z1, Z5            // s02i
	VSUBPD  Z2, Z0, Z0            // d02r
	VSUBPD  Z3, Z1, Z1            // d02i
	VMOVUPD (AX)(R10*1), Z2       // x1r
	VMOVUPD (BX)(R10*1), Z3       // x1i
	VMOVUPD (AX)(R14*1), Z6       // x3r
	VMOVUPD (BX)(R14*1), Z7       // x3i
	VADDPD  Z6, Z2, Z8            // s13r
	VADDPD  Z7, Z3, Z9            // s13i
	VSUBPD  Z6, Z2, Z2            // e13r
	VSUBPD  Z7, Z3, Z3            // e13i
	VADDPD  Z8, Z4, Z6            // v0r
	VADDPD  Z9, Z5, Z7            // v0i
	VMOVUPD Z6, (AX)
	VMOVUPD Z7, (BX)
	VSUBPD  Z8, Z4, Z4            // tr
	VSUBPD  Z9, Z5, Z5            // ti
	VADDPD  Z3, Z0, Z8            // pr = d02r + e13i
	VSUBPD  Z2, Z1, Z9            // pi = d02i − e13r
	VSUBPD  Z3, Z0, Z0            // qr = d02r − e13i
	VADDPD  Z2, Z1, Z1            // qi = d02i + e13r

	VMOVUPD 128(R8), Z10          // w2
	VMOVUPD 192(R8), Z11
	VMULPD  Z10, Z4, Z12
	VFNMADD231PD Z11, Z5, Z12
	VMULPD  Z10, Z5, Z13
	VFMADD231PD  Z11, Z4, Z13
	VMOVUPD Z12, (AX)(R10*1)
	VMOVUPD Z13, (BX)(R10*1)

	VMOVUPD (R8), Z14             // w1
	VMOVUPD 64(R8), Z15
	VMULPD  Z14, Z8, Z16
	VFNMADD231PD Z15, Z9, Z16
	VMULPD  Z14, Z9, Z17
	VFMADD231PD  Z15, Z8, Z17
	VMOVUPD Z16, (AX)(R13*1)
	VMOVUPD Z17, (BX)(R13*1)

	VMOVUPD 256(R8), Z18          // w3
	VMOVUPD 320(R8), Z19
	VMULPD  Z18, Z0, Z20
	VFNMADD231PD Z19, Z1, Z20
	VMULPD  Z18, Z1, Z21
	VFMADD231PD  Z19, Z0, Z21
	VMOVUPD Z20, (AX)(R14*1)
	VMOVUPD Z21, (BX)(R14*1)

	ADDQ $64, AX
	ADDQ $64, BX
	ADDQ $384, R8
	DECQ R12
	JNZ  zr4inner

	MOVQ R10, R15
	SHLQ $2, R15            // 4G bytes per block
	ADDQ R15, SI
	ADDQ R15, DI
	SUBQ R11, CX
	JMP  zr4block

zr4done:
	VZEROUPPER
	RET
