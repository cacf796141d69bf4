#!/usr/bin/python3
"""Writes the crafted files of audio's hostile-input tests (run from
audio/testdata/hostile; Python standard library only, deterministic):
    /usr/bin/python3 make_hostile.py
Each file is one attack or out-of-distribution input of issue 17; the table in
hostile_test.go says what each must give (an error, or no_speech)."""
import math
import random
import struct


def crc8(data):
    c = 0
    for b in data:
        c ^= b
        for _ in range(8):
            c = ((c << 1) ^ 0x07) & 0xFF if c & 0x80 else (c << 1) & 0xFF
    return c


def crc16(data):
    c = 0
    for b in data:
        c ^= b << 8
        for _ in range(8):
            c = ((c << 1) ^ 0x8005) & 0xFFFF if c & 0x8000 else (c << 1) & 0xFFFF
    return c


def streaminfo(rate, nsamples, channels=1, bps=16, block=4096, last=True):
    """fLaC + a STREAMINFO block (zero MD5: no check)."""
    bits = (rate << 44) | ((channels - 1) << 41) | ((bps - 1) << 36) | nsamples
    body = struct.pack(">HH", block, block) + b"\0" * 6 + bits.to_bytes(8, "big") + b"\0" * 16
    assert len(body) == 34
    return b"fLaC" + bytes([0x80 if last else 0]) + (34).to_bytes(3, "big") + body


def utf8_number(n):
    if n < 0x80:
        return bytes([n])
    if n < 0x800:
        return bytes([0xC0 | n >> 6, 0x80 | n & 0x3F])
    return bytes([0xE0 | n >> 12, 0x80 | (n >> 6) & 0x3F, 0x80 | n & 0x3F])


def constant_frame(number, block, value):
    """A mono 16-bit frame of block samples, all equal to value (CONSTANT
    subframe): 11 bytes whatever the block size."""
    h = bytes([0xFF, 0xF8, 0x70, 0x08]) + utf8_number(number) + struct.pack(">H", block - 1)
    h += bytes([crc8(h)])
    f = h + b"\x00" + struct.pack(">h", value)
    return f + struct.pack(">H", crc16(f))


def wav(samples, rate=16000, fmt="h", tag=1):
    """A mono WAV: 16-bit PCM (fmt h) or 32-bit float (fmt f, tag 3)."""
    data = struct.pack("<%d%s" % (len(samples), fmt), *samples)
    bps = struct.calcsize(fmt)
    fmtc = struct.pack("<HHIIHH", tag, 1, rate, rate * bps, bps, 8 * bps)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmtc)) + fmtc + b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def pcm16(x):
    return [max(-32768, min(32767, int(round(v * 32768)))) for v in x]


def write(name, data):
    with open(name, "wb") as f:
        f.write(data)


R, N = 16000, 3 * 16000
rng = random.Random(17)

# 47 bytes: STREAMINFO declares 780 million samples (13.5 h at 16 kHz), then
# the start of a frame header. The old decoder pre-allocated 3.1 GB.
write("flac_streaminfo_huge.flac", (streaminfo(16000, 780_000_000) + bytes([0xFF, 0xF8, 0x70, 0x08, 0x00]))[:47])
# 64 bytes: 2^31 − 1 samples declared and a frame with a bad CRC (8 GB before).
bad = bytearray(constant_frame(0, 4096, 1000))
bad[-1] ^= 0xFF
write("flac_2g_badframe.flac", (streaminfo(44100, 2**31 - 1) + bytes(bad) + b"\0" * 64)[:64])
# Within the duration limit (59 min at 16 kHz) but only a corrupt frame: the
# declared count must not be trusted for an allocation.
write("flac_59min_badframe.flac", (streaminfo(16000, 59 * 60 * 16000) + bytes(bad) + b"\0" * 64)[:64])
# A decompression bomb: unknown length, 384 kHz, 3000 constant frames of 65535
# samples (33 KB → 197 million samples, 8.5 min; 786 MB of floats).
write("flac_bomb.flac", streaminfo(384000, 0, block=65535) + b"".join(constant_frame(i, 65535, 100) for i in range(3000)))
# 400 KB of 16-bit audio declared at 1 Hz: 55 hours.
write("wav_1hz.wav", wav([0] * 200_000, rate=1))
# A float WAV holding a ±1e30 square wave (200 Hz), 1 s.
write("wav_float_1e30.wav", wav([1e30 if (i // 40) % 2 == 0 else -1e30 for i in range(R)], fmt="f", tag=3))

# Out of distribution: 3 s at 16 kHz, none of it speech.
write("silence.wav", wav([0] * N))
write("white_noise.wav", wav(pcm16([0.3 * rng.gauss(0, 1) for _ in range(N)])))
write("square_200hz.wav", wav(pcm16([0.5 if (i // 40) % 2 == 0 else -0.5 for i in range(N)])))
write("tone_1khz.wav", wav(pcm16([0.5 * math.sin(2 * math.pi * 1000 * i / R) for i in range(N)])))
# A linear sweep 100 Hz → 7.9 kHz.
write("sweep.wav", wav(pcm16([0.5 * math.sin(2 * math.pi * (100 * i / R + (7800 / 6) * (i / R) ** 2)) for i in range(N)])))
