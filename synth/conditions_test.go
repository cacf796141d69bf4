package synth

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
)

// conditionsMarkdown documents every built-in condition's parameters.
func conditionsMarkdown() string {
	var b strings.Builder
	b.WriteString(`# Synthetic replay conditions

Generated from synth/conditions.go by ` + "`DEEP4DEEP_UPDATE=1 go test ./synth -run TestConditionsDoc`" + `;
a test fails when the two disagree. The real ASVspoof 2017 corpus documents
only the IDs: these parameters are deep4deep's, chosen to span easy (cheap
loudspeakers, noisy rooms) to nearly undetectable (studio monitor in an
anechoic room, analog wire). Filters are Butterworth of the given order;
resonances are peaking equalisers (frequency Hz / gain dB / Q); H2, H3 are
the loudspeaker's 2nd- and 3rd-order distortion coefficients at full drive;
SNR is the active speech level over the background noise. A microphone's
self-noise is its capsule's datasheet figure in dB(A) SPL where it has one
(column "capsule"): the noise then depends on the speech level at the
capsule (see "Physical cues" below); the column "line (dB)" is the noise
floor of its converter or line input relative to the active speech level,
used for line devices and wires.

Genuine trials and the recordings that replays start from are made in the
speaker's own sessions (RT60 0.25–0.6 s, 0.15–0.5 m, 25–90 m³, quiet/office/
HVAC/babble noise at 30–50 dB SNR) on the speaker's own phone (one of the six
"speaker phone" rows below, fixed per speaker).

## Environments

| ID | name | RT60 (s) | distance (m) | volume (m³) | noise | SNR (dB) | wire band (Hz) | cut-off (Hz), RT60 below (s) |
|---|---|---|---|---|---|---|---|---|
`)
	ids := func(m int) []string {
		var out []string
		switch m {
		case 0:
			for id := range environments {
				out = append(out, id)
			}
		case 1:
			for id := range playbacks {
				out = append(out, id)
			}
		case 2:
			for id := range recorders {
				out = append(out, id)
			}
		}
		sort.Strings(out)
		return out
	}
	peaks := func(ps []Peak) string {
		var s []string
		for _, p := range ps {
			s = append(s, fmt.Sprintf("%g/%+g/%g", p.Freq, p.GainDB, p.Q))
		}
		if len(s) == 0 {
			return "–"
		}
		return strings.Join(s, ", ")
	}
	for _, id := range ids(0) {
		e := environments[id]
		if e.Wire {
			fmt.Fprintf(&b, "| %s | %s | – | – | – | %s | %g | %g–%g | – |\n", id, e.Name, e.Noise, e.SNR, e.Low, e.High)
			continue
		}
		cut := "–"
		if e.CutOff > 0 {
			cut = fmt.Sprintf("%g, %g", e.CutOff, e.RT60Low)
		}
		fmt.Fprintf(&b, "| %s | %s | %g | %g | %g | %s | %g | – | %s |\n", id, e.Name, e.RT60, e.Dist, e.Volume, e.Noise, e.SNR, cut)
	}
	b.WriteString("\n## Playback devices\n\n| ID | name | high-pass (Hz, order) | low-pass (Hz, order) | resonances | H2 | H3 | converter |\n|---|---|---|---|---|---|---|---|\n")
	for _, id := range ids(1) {
		p := playbacks[id]
		name := p.Name
		fmt.Fprintf(&b, "| %s | %s | %g, %d | %g, %d | %s | %g | %g | %s |\n", id, name, p.Low, p.LowOrder, p.High, p.HighOrder, peaks(p.Peaks), p.H2, p.H3, p.SRC.Name)
	}
	mic := func(id string, m Microphone) {
		src := m.SRC.Name
		if src == "" {
			src = "– (records at 16 kHz)"
		}
		capsule := "–"
		if m.SelfNoise > 0 {
			capsule = fmt.Sprintf("%g dB(A)", m.SelfNoise)
			if m.Gradient {
				capsule += ", cardioid"
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %g, %d | %g, %d | %s | %s | %g | %g | %s |\n", id, m.Name, m.Low, m.LowOrder, m.High, m.HighOrder, peaks(m.Peaks), capsule, m.NoiseDB, m.AGC, src)
	}
	b.WriteString("\n## Recording devices\n\n| ID | name | high-pass (Hz, order) | low-pass (Hz, order) | resonances | capsule | line (dB) | AGC | to 16 kHz |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, id := range ids(2) {
		mic(id, recorders[id])
	}
	for i, m := range genuinePhones {
		mic(fmt.Sprintf("(phone %d)", i+1), m)
	}
	b.WriteString(`
Line devices (P13, P23, P24, R08, R23, R24) have no transducer: only their
band limits (a line output's low-pass is 2nd order) and distortion apply.
Over an analog wire (E24–E26) there is no room: the wire's band (2nd order)
and hum replace room and noise; a loudspeaker tapped at its amplifier keeps a
fifth of its distortion and a 20 Hz high-pass, and a microphone device takes
the signal at its line input (20 Hz high-pass, its anti-alias low-pass, no
AGC).

## The double device chain

A genuine trial passes one device chain: the talker's mouth at 0.15–0.5 m
from the speaker's own phone, in one of the speaker's sessions. A spoof
passes two: its source is itself such a recording (a take of the same
speaker and phrase, made in another session on the same phone: its room,
noise, microphone response, self-noise and AGC, stored at 16 bits), which
is then played back by playback device P, through environment E, and
recorded a second time by device R. This is how ASVspoof 2017 was built:
its replays replay RedDots recordings, which the speakers made on their own
phones, the devices of the genuine trials. The source device is therefore
the speaker's phone, not a device drawn per configuration: a
per-configuration source would give a detector a device-identity cue that
the real corpus does not have. What recipe 3 changes is the magnitude of
each device's self-noise (next section), so the second chain adds a noise
floor at the level the device really has.

## Physical cues of recipes 2 and 3, and their sources

Version 1 left some chains (studio monitors in the anechoic rooms, the sound
booth, the analog wires) with no cue a detector could learn. Version 2 added
effects that real replays have, each at a published magnitude: the double
band-limiting of the sample-rate converters at both ends of the replay, and
distortion rising at a loudspeaker's low cut-off. Version 3 puts every
microphone's self-noise at its datasheet level, adds the proximity effect of
gradient microphones and the low-frequency modes of the anechoic rooms. No
value was tuned toward a detection result.

| cue | model | value | source |
|---|---|---|---|
| sample-rate conversion at playback (v2) | a device plays the 16 kHz recording through its converters at 44.1/48 kHz, so the file is interpolated first; in the 0–8 kHz band the spectrum is multiplied by the interpolation kernel's response, a Kaiser-windowed sinc (synth/src.go) | per device, column "converter": speex q1 (cut-off 0.88 × 8 kHz = 7.04 kHz, 16 taps, β 6), q4 (0.94 → 7.52 kHz, 64 taps, β 8), q10 (0.975 → 7.8 kHz, 256 taps, β 12) | speexdsp resample.c, quality_map (base_length, upsample_bandwidth, KAISER window); q4 is SPEEX_RESAMPLER_QUALITY_DEFAULT, q1 is PulseAudio's default resample-method speex-float-1 |
| which converter a device runs (v2) | PCs and laptops (P02, P06, P13, P20): q1; studio and professional gear (P10, P15, P23, P24): q10; every other device: q4 | – | our assignment by device class: the real corpus does not document its playback software |
| sample-rate conversion of the replay recording to 16 kHz (v2) | recording devices that record at 44.1/48 kHz (PC, USB and professional devices and line inputs: R04, R05, R07, R08, R09, R10, R13, R14, R20, R23, R24, R25, column "to 16 kHz") reach the corpus's 16 kHz through a decimation filter; phones, tablets, the watch, the car kit and the speakerphone record speech at 16 kHz, like the genuine takes | SoX's default quality (rate -h): −3 dB at 95 % of 8 kHz (7.6 kHz), 125 dB rejection from 8 kHz, linear phase; as a Kaiser-windowed sinc: stop-band edge 8 kHz, pass-band edge 7.3 kHz (which puts −3 dB at 7.6 kHz), cut-off 7.65 kHz, β = 0.1102 × (125 − 8.7) = 12.8, (125 − 8)/(2.285 × 2π × 700/16000) ≈ 187 taps | SoX manual, effect "rate" (quality table: -h high (default), band-width 95 %, rejection 125 dB); J. F. Kaiser's window design formulas (Oppenheim & Schafer, Discrete-Time Signal Processing, §7.5.3); which devices record at 44.1/48 kHz is our assignment by device class |
| distortion rising at the low cut-off (v2) | the drive's cone excursion (band-pass around the device's high-pass frequency) adds (4 − 1) × the device's H2/H3 polynomial: a full-drive sine at the cut-off has 4 × the mid-band THD | ratio 4 | Genelec 8030A system specifications: harmonic distortion at 90 dB SPL, 1 m: < 2 % at 50–100 Hz, < 0.5 % above 100 Hz (the ratio of the two limits) |
| speech level at the capsule (v3) | the talker speaks at normal effort; the speech level at a capsule d m away is 62.35 − 20·log10 d dB SPL (spherical spreading). A replay is played back at the same level (it should sound like the talker), so the replay recorder at distance d of environment E receives the same level | 62.35 dB SPL at 1 m: 78.8 dB at the phone at 0.15 m, 68.4 dB at 0.5 m, 56.3 dB at 2 m | ANSI S3.5-1997 (Speech Intelligibility Index), Table 3: overall speech level at normal vocal effort; the replay level is our assumption |
| capsule self-noise (v3) | white noise at SelfNoise − 4 − speechSPL(d) dB re the active speech level; the −4 dB is the share of the 0–8 kHz band in the datasheet's 20 Hz–20 kHz measurement band (10·log10(8/20)); the speaker's phone at 0.15–0.5 m thus lies 39–54 dB below the speech, a phone recording a loudspeaker 2 m away 27–31 dB, the studio microphone at 0.5 m 57 dB. The noise enters after the capsule's acoustic resonances and before the device's electrical band limits (its high-pass and its converter's anti-alias low-pass), which shape it like the speech: a device that records at 16 kHz records no noise above its own band | MEMS capsules of phones, tablets, watch, laptops, webcam, car kit, speakerphone: 29 dB(A) (SNR 65 dB(A) re 94 dB SPL) or 33 dB(A) (SNR 61 dB(A)); electret capsules of the headset, lavalier and handheld recorder: 32 dB(A); studio condenser (R13): 15 dB(A); dynamic microphone (R20): 18 dB(A) | Knowles SPH0645LM4H-B and InvenSense ICS-43434 datasheets (SNR 65 dB(A)), InvenSense INMP441 datasheet (SNR 61 dB(A)), Panasonic WM-61A (S/N > 62 dB), Neumann U 87 Ai (equivalent noise level 15 dB-A, cardioid); dynamic: Shure SM58 sensitivity −54.5 dBV/Pa with a preamplifier of EIN −128 dBu A-weighted (Focusrite Scarlett 2i2 3rd gen.) gives 94 + (−130.2 + 54.5) = 18 dB(A); which device has which capsule is our assignment by class |
| proximity effect of gradient microphones (v3) | a first-order cardioid at distance r from the source responds H = 1 + c/(2jωr) relative to the far field: +3 dB at ω0 = c/(2r), +6 dB/octave below (55 Hz at 0.5 m, 27 Hz at 1 m). The talker's own phone has an omnidirectional (pressure) MEMS capsule: no proximity effect on genuine trials | R13 and R20 are cardioids | the near field of a point source, p(1 + 1/(jkr)) for the pressure gradient (Beranek, Acoustics, ch. on microphones); Neumann U 87 Ai and Shure SM58 are cardioids; MEMS microphones of the datasheets above are omnidirectional |
| low-frequency modes of the anechoic rooms (v3) | below the cut-off the wedge lining stops absorbing: the room response gains a diffuse tail of reverberation time RT60 below, at the level of the critical distance r_c = 0.057 √(V/T) for that T, low-passed at the cut-off (2nd order) | E01, E23: cut-off 100 Hz; below it α = 0.8 → Eyring T = 0.161 V/(−S ln(1−α)) = 0.077 s for V = 100 m³, S = 129 m² | quarter-wave rule c/(4L) for 0.86 m wedges; "for anechoic chambers with dimensions of 4–5 m the lower limit is usually about 100–120 Hz" (Great Soviet Encyclopedia, "Anechoic chamber"); α = 0.8 below the cut-off is our assumption (the quarter-wave rule gives ≥ 0.9 at the cut-off) |

Cues the issue lists that are not modelled, and why:
- **Loudspeaker directivity.** It changes only the reverberant field
  (on axis a loudspeaker is measured flat), so it matters in the reverberant
  rooms, whose chains are already easy; a fair model needs the talker's own
  directivity (head diffraction) beside it, for which this recipe has no
  sourced figure.
- **Cone break-up.** The small drivers' resonances (the "resonances"
  column of the phones, laptops and small speakers) stand for it, with
  version-1 values; a two-way studio monitor's woofer break-up lies above
  its crossover (Genelec 8030A: 3 kHz), attenuated by the crossover.
- **Lossy storage** of the source on the playback device: the real corpus
  replays RedDots WAV files; which players stored them lossily is unknown.

What stays nearly undetectable, and why. Two kinds of chain are transparent
at physical magnitudes: a studio monitor (P10, P15) in an anechoic room (E01,
E23) recorded by the studio microphone (R13), and a line-level chain (P13,
P23, P24 into R08, R23, R24, or any device over the wires E24–E26). What
they add to the source recording, and why a detector cannot see it:
- **The band edge.** The second chain's converters (speex q10, then SoX's
  decimation) attenuate −0.5 dB at 7.5 kHz, −3.2 dB at 7.6 kHz, −18.6 dB at
  7.75 kHz. The genuine phones' own anti-alias low-passes (4th order at
  7.3–7.8 kHz) already spread over 0 to −12 dB at 7.5 kHz and −0.7 to
  −36 dB at 7.75 kHz: a replay of a recording made on a 7.8 kHz phone looks,
  above 7.5 kHz, like a genuine take on a 7.6 kHz phone. With speakers
  disjoint, a detector does not know which phone the speaker used.
- **Low frequencies.** The monitor's distortion (H2, H3 of 0.05–0.1 %, 4× that
  at its 45–55 Hz cut-off), the studio microphone's proximity boost (+3 dB at 55 Hz at 0.5 m)
  and the chamber's modes (below 100 Hz) act below the genuine phones'
  high-pass (90–160 Hz, 2nd order), where the source holds only its
  session's room tone, whose level varies from session to session (30–50 dB
  below the speech).
- **The second noise floor.** The studio microphone's self-noise (15 dB(A),
  57 dB below speech at 0.5 m), the chamber's ambient noise (60–62 dB) and a
  line input's converter (84–88 dB) lie under the source's own floor, its
  session's noise (30–50 dB) plus its phone's self-noise (39–54 dB below the
  speech), so they raise it by well under 1 dB.

These chains are therefore expected to stay above the matched check's 10 %
per-condition target; recipe 3 does not raise any parameter to change that.

Tests: TestSpeexResponse (−6 dB at the sinc cut-off, the Kaiser stop band),
TestResampleFIR (the 16 kHz FIR against the kernel's response, no delay),
TestExcursionDistortion (THD at the cut-off = 4 × mid band),
TestSelfNoiseLevel (the added self-noise at the datasheet level for the
distance), TestProximity (the cardioid's near-field boost against
|1 + c/(2jωr)|), TestAnechoicLowBand (the anechoic response's reverberation
below the cut-off and none above) and TestEveryChainCarriesACue (every
replay configuration changes some 250 Hz band of the long-term spectrum by
≥ 3 dB beyond a gain).

The other parameters of the tables above (band limits, resonances, H2/H3,
line noise floors, RT60) are version 1's: representative values for each
device class, chosen by hand, not taken from a datasheet of a specific
device; only the version-2 and version-3 cues carry a published source.
`)
	return b.String()
}

// TestConditionsDoc keeps CONDITIONS.md in step with the tables.
func TestConditionsDoc(t *testing.T) {
	want := conditionsMarkdown()
	if os.Getenv("DEEP4DEEP_UPDATE") != "" {
		if err := os.WriteFile("CONDITIONS.md", []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile("CONDITIONS.md")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Error("CONDITIONS.md is out of date: run DEEP4DEEP_UPDATE=1 go test ./synth -run TestConditionsDoc")
	}
}

// TestConditionTables checks that every ID of the real protocols has a
// table entry with sane values, and that unknown IDs are stable.
func TestConditionTables(t *testing.T) {
	for i := 1; i <= 26; i++ {
		e := EnvironmentOf(fmt.Sprintf("E%02d", i))
		if strings.HasPrefix(e.Name, "generated") || (!e.Wire && (e.RT60 <= 0 || e.Dist <= 0 || e.Volume <= 0)) {
			t.Errorf("E%02d: %+v", i, e)
		}
		p := PlaybackOf(fmt.Sprintf("P%02d", i))
		if strings.HasPrefix(p.Name, "generated") || p.Low <= 0 || p.High <= p.Low || p.High >= Rate/2 || p.LowOrder%2 != 0 || p.HighOrder%2 != 0 {
			t.Errorf("P%02d: %+v", i, p)
		}
		if i <= 25 {
			m := RecorderOf(fmt.Sprintf("R%02d", i))
			if strings.HasPrefix(m.Name, "generated") || m.Low <= 0 || m.High <= m.Low || m.High >= Rate/2 || m.NoiseDB > -40 {
				t.Errorf("R%02d: %+v", i, m)
			}
		}
	}
	if a, b := PlaybackOf("P99"), PlaybackOf("P99"); a.Name != "generated P99" || a.Low != b.Low {
		t.Errorf("unknown ID not stable: %+v vs %+v", a, b)
	}
	PlaybackOf("P01").Peaks[0].GainDB = 99 // a copy: the table must not change
	if playbacks["P01"].Peaks[0].GainDB == 99 {
		t.Error("PlaybackOf exposes the table")
	}
	if DescribeCondition("E09") != "cantine" || DescribeCondition("X1") != "" {
		t.Error("DescribeCondition")
	}
}
