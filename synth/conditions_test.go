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
SNR is the active speech level over the background noise; self-noise is
relative to the active speech level.

Genuine trials and the recordings that replays start from are made in the
speaker's own sessions (RT60 0.25–0.6 s, 0.15–0.5 m, 25–90 m³, quiet/office/
HVAC/babble noise at 30–50 dB SNR) on the speaker's own phone (one of the six
"speaker phone" rows below, fixed per speaker).

## Environments

| ID | name | RT60 (s) | distance (m) | volume (m³) | noise | SNR (dB) | wire band (Hz) |
|---|---|---|---|---|---|---|---|
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
			fmt.Fprintf(&b, "| %s | %s | – | – | – | %s | %g | %g–%g |\n", id, e.Name, e.Noise, e.SNR, e.Low, e.High)
			continue
		}
		fmt.Fprintf(&b, "| %s | %s | %g | %g | %g | %s | %g | – |\n", id, e.Name, e.RT60, e.Dist, e.Volume, e.Noise, e.SNR)
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
		fmt.Fprintf(&b, "| %s | %s | %g, %d | %g, %d | %s | %g | %g | %s |\n", id, m.Name, m.Low, m.LowOrder, m.High, m.HighOrder, peaks(m.Peaks), m.NoiseDB, m.AGC, src)
	}
	b.WriteString("\n## Recording devices\n\n| ID | name | high-pass (Hz, order) | low-pass (Hz, order) | resonances | self-noise (dB) | AGC | to 16 kHz |\n|---|---|---|---|---|---|---|---|\n")
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

## Physical cues of recipe version 2, and their sources

Version 1 left some chains (studio monitors in the anechoic rooms, the sound
booth, the analog wires) with no cue a detector could learn. Version 2 adds
effects that real replays have, each at a published magnitude: the
double band-limiting of the sample-rate converters at both ends of the
replay, and distortion rising at a loudspeaker's low cut-off. No value was
tuned toward a detection result.

| cue | model | value | source |
|---|---|---|---|
| sample-rate conversion at playback | a device plays the 16 kHz recording through its converters at 44.1/48 kHz, so the file is interpolated first; in the 0–8 kHz band the spectrum is multiplied by the interpolation kernel's response, a Kaiser-windowed sinc (synth/src.go) | per device, column "converter": speex q1 (cut-off 0.88 × 8 kHz = 7.04 kHz, 16 taps, β 6), q4 (0.94 → 7.52 kHz, 64 taps, β 8), q10 (0.975 → 7.8 kHz, 256 taps, β 12) | speexdsp resample.c, quality_map (base_length, upsample_bandwidth, KAISER window); q4 is SPEEX_RESAMPLER_QUALITY_DEFAULT, q1 is PulseAudio's default resample-method speex-float-1 |
| which converter a device runs | PCs and laptops (P02, P06, P13, P20): q1; studio and professional gear (P10, P15, P23, P24): q10; every other device: q4 | – | our assignment by device class: the real corpus does not document its playback software |
| sample-rate conversion of the replay recording to 16 kHz | recording devices that record at 44.1/48 kHz (PC, USB and professional devices and line inputs: R04, R05, R07, R08, R09, R10, R13, R14, R20, R23, R24, R25, column "to 16 kHz") reach the corpus's 16 kHz through a decimation filter; phones, tablets, the watch, the car kit and the speakerphone record speech at 16 kHz, like the genuine takes | SoX's default quality (rate -h): −3 dB at 95 % of 8 kHz (7.6 kHz), 125 dB rejection from 8 kHz, linear phase; as a Kaiser-windowed sinc: stop-band edge 8 kHz, pass-band edge 7.3 kHz (which puts −3 dB at 7.6 kHz), cut-off 7.65 kHz, β = 0.1102 × (125 − 8.7) = 12.8, (125 − 8)/(2.285 × 2π × 700/16000) ≈ 187 taps | SoX manual, effect "rate" (quality table: -h high (default), band-width 95 %, rejection 125 dB); J. F. Kaiser's window design formulas (Oppenheim & Schafer, Discrete-Time Signal Processing, §7.5.3); which devices record at 44.1/48 kHz is our assignment by device class |
| distortion rising at the low cut-off | the drive's cone excursion (band-pass around the device's high-pass frequency) adds (4 − 1) × the device's H2/H3 polynomial: a full-drive sine at the cut-off has 4 × the mid-band THD | ratio 4 | Genelec 8030A system specifications: harmonic distortion at 90 dB SPL, 1 m: < 2 % at 50–100 Hz, < 0.5 % above 100 Hz (the ratio of the two limits) |

Tests: TestSpeexResponse (−6 dB at the sinc cut-off, the Kaiser stop band),
TestResampleFIR (the 16 kHz FIR against the kernel's response, no delay),
TestExcursionDistortion (THD at the cut-off = 4 × mid band) and
TestEveryChainCarriesACue (every replay configuration changes some 250 Hz
band of the long-term spectrum by ≥ 3 dB beyond a gain).

The parameters of the tables above (band limits, resonances, H2/H3, noise,
RT60) are version 1's: representative values for each device class, chosen
by hand, not taken from a datasheet of a specific device; only the version-2
cues carry a published source.
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
