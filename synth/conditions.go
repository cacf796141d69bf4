package synth

import (
	"fmt"
	"sort"
)

// NoiseKind is the character of an environment's background noise.
type NoiseKind uint8

// The background noises (see noise.go for how each is made).
const (
	NoiseQuiet   NoiseKind = iota // pink/brown room tone
	NoiseOffice                   // room tone + keyboard clicks
	NoiseHVAC                     // ventilation rumble + mains hum
	NoiseBabble                   // speech-shaped noise with syllabic modulation
	NoiseCantine                  // dense babble + cutlery clinks
	NoiseStreet                   // traffic rumble with passing swells
	NoiseCar                      // engine harmonics + low road noise
	NoiseHum                      // mains hum and white noise of a cable
)

var noiseNames = [...]string{"quiet", "office", "hvac", "babble", "cantine", "street", "car", "hum"}

func (k NoiseKind) String() string {
	if int(k) < len(noiseNames) {
		return noiseNames[k]
	}
	return fmt.Sprintf("NoiseKind(%d)", int(k))
}

// Environment is an acoustic environment (or a cable) between a sound source
// and a microphone.
type Environment struct {
	Name   string
	RT60   float64   // reverberation time (s)
	Dist   float64   // source–microphone distance (m)
	Volume float64   // room volume (m³); with RT60 sets the critical distance
	Noise  NoiseKind // background noise
	SNR    float64   // active speech level over the noise (dB)
	// Wire marks a line-level "analog wire" connection: no acoustic path,
	// no room; the playback device's and recorder's transducers are
	// bypassed and only the electrical band limits Low/High (Hz, 2nd
	// order) and the noise apply.
	Wire      bool
	Low, High float64
	// CutOff is an anechoic room's lower cut-off frequency (Hz): below it
	// the wedge lining no longer absorbs and the room has modes that decay
	// with reverberation time RT60Low (s). Zero: no such band.
	CutOff, RT60Low float64
}

// Peak is a resonance or dip of a transducer: a peaking equaliser.
type Peak struct{ Freq, GainDB, Q float64 }

// Loudspeaker is a playback device: band limits (Butterworth high- and
// low-pass of the given even orders), resonances, and a memoryless
// non-linearity y = x + H2·x² + H3·x³ at full drive (H2, H3 ≈ the 2nd and
// 3rd harmonic distortion ratios for a full-scale sine).
type Loudspeaker struct {
	Name                string
	Low, High           float64
	LowOrder, HighOrder int
	Peaks               []Peak
	H2, H3              float64
	// Line marks a line-level output (DAC, interface, console): no driver.
	Line bool
	// SRC is the sample-rate converter that plays the 16 kHz recording at
	// the device's 44.1/48 kHz converter rate (zero: none).
	SRC Resampler
}

// Microphone is a recording device: band limits, capsule/enclosure
// resonances, self-noise (SelfNoise, the capsule's datasheet figure, for
// acoustic recordings; NoiseDB, relative to the active speech level, for
// line inputs and devices without a figure) and an automatic gain control
// of strength AGC (0 = none, 1 = full).
type Microphone struct {
	Name                string
	Low, High           float64
	LowOrder, HighOrder int
	Peaks               []Peak
	NoiseDB             float64
	AGC                 float64
	Line                bool // line input: no capsule
	// SelfNoise is the capsule's equivalent self-noise in dB(A) SPL, the
	// datasheet figure (94 dB SPL minus the A-weighted SNR). When it is
	// set, an acoustic recording takes its self-noise from it and the
	// speech level at the capsule (see speechSPL); NoiseDB then serves
	// only the device's line input (analog wire).
	SelfNoise float64
	// Gradient marks a pressure-gradient (cardioid) capsule: close to a
	// source it boosts low frequencies (the proximity effect).
	Gradient bool
	// SRC is the converter that brought the device's 44.1/48 kHz recording
	// down to the corpus's 16 kHz (zero: the device records at 16 kHz).
	SRC Resampler
}

// anechoicRT60Low is the reverberation time of the 100 m³ anechoic rooms
// (E01, E23) below their 100 Hz cut-off. The cut-off: wedges of 0.86 m are
// a quarter wavelength at 100 Hz (c/4L), the usual size and limit for
// chambers 4–5 m across (100–120 Hz). Below it the lining absorbs less; we
// take α = 0.8 (our assumption: the quarter-wave rule gives ≥ 0.9 at the
// cut-off itself). Eyring: T = 0.161·V / (−S·ln(1−α)) with V = 100 m³ and
// the surface of a cube of that volume, S = 6·V^(2/3) = 129 m²:
// 16.1 / (129 × 1.609) = 0.077 s.
const anechoicRT60Low = 0.077

// environments maps the ASVspoof 2017 environment IDs to synthetic rooms.
// The real corpus documents only the IDs; these parameters are ours, chosen
// to span the range from easy (noisy cantine, long reverberation) to
// nearly undetectable (anechoic room, analog wire).
var environments = map[string]Environment{
	"E01": {Name: "anechoic chamber", RT60: 0.04, Dist: 0.5, Volume: 100, Noise: NoiseQuiet, SNR: 60, CutOff: 100, RT60Low: anechoicRT60Low},
	"E02": {Name: "small office", RT60: 0.35, Dist: 0.6, Volume: 40, Noise: NoiseOffice, SNR: 38},
	"E03": {Name: "meeting room", RT60: 0.55, Dist: 1.0, Volume: 80, Noise: NoiseHVAC, SNR: 32},
	"E04": {Name: "living room, TV on", RT60: 0.45, Dist: 1.2, Volume: 60, Noise: NoiseBabble, SNR: 28},
	"E05": {Name: "bedroom", RT60: 0.30, Dist: 0.8, Volume: 35, Noise: NoiseQuiet, SNR: 42},
	"E06": {Name: "lecture theatre", RT60: 1.10, Dist: 2.0, Volume: 600, Noise: NoiseHVAC, SNR: 30},
	"E07": {Name: "open-plan office", RT60: 0.60, Dist: 1.0, Volume: 400, Noise: NoiseBabble, SNR: 24},
	"E08": {Name: "kitchen", RT60: 0.50, Dist: 0.8, Volume: 30, Noise: NoiseHVAC, SNR: 26},
	"E09": {Name: "cantine", RT60: 0.90, Dist: 1.5, Volume: 500, Noise: NoiseCantine, SNR: 12},
	"E10": {Name: "parked car", RT60: 0.07, Dist: 0.6, Volume: 3, Noise: NoiseCar, SNR: 32},
	"E11": {Name: "car, engine running", RT60: 0.07, Dist: 0.6, Volume: 3, Noise: NoiseCar, SNR: 14},
	"E12": {Name: "corridor", RT60: 1.40, Dist: 2.0, Volume: 150, Noise: NoiseHVAC, SNR: 28},
	"E13": {Name: "sound booth", RT60: 0.12, Dist: 0.5, Volume: 10, Noise: NoiseQuiet, SNR: 50},
	"E14": {Name: "balcony", RT60: 0.15, Dist: 1.0, Volume: 1000, Noise: NoiseStreet, SNR: 20},
	"E15": {Name: "street", RT60: 0.10, Dist: 1.0, Volume: 5000, Noise: NoiseStreet, SNR: 12},
	"E16": {Name: "laboratory", RT60: 0.45, Dist: 0.8, Volume: 120, Noise: NoiseHVAC, SNR: 30},
	"E17": {Name: "home office", RT60: 0.35, Dist: 0.5, Volume: 30, Noise: NoiseOffice, SNR: 36},
	"E18": {Name: "stairwell", RT60: 1.80, Dist: 1.5, Volume: 200, Noise: NoiseQuiet, SNR: 32},
	"E19": {Name: "cafe", RT60: 0.70, Dist: 1.0, Volume: 250, Noise: NoiseCantine, SNR: 16},
	"E20": {Name: "library", RT60: 0.50, Dist: 1.5, Volume: 800, Noise: NoiseQuiet, SNR: 44},
	"E21": {Name: "office with PC fans", RT60: 0.40, Dist: 0.7, Volume: 50, Noise: NoiseHVAC, SNR: 30},
	"E22": {Name: "classroom", RT60: 0.70, Dist: 2.5, Volume: 200, Noise: NoiseBabble, SNR: 26},
	"E23": {Name: "anechoic chamber, far", RT60: 0.05, Dist: 1.0, Volume: 100, Noise: NoiseQuiet, SNR: 62, CutOff: 100, RT60Low: anechoicRT60Low},
	"E24": {Name: "analog wire, shielded", Wire: true, Noise: NoiseHum, SNR: 70, Low: 20, High: 7700},
	"E25": {Name: "analog wire, long unbalanced", Wire: true, Noise: NoiseHum, SNR: 55, Low: 30, High: 6500},
	"E26": {Name: "analog wire, adapter", Wire: true, Noise: NoiseHum, SNR: 62, Low: 40, High: 7200},
}

// playbacks maps the ASVspoof 2017 playback-device IDs to loudspeakers.
var playbacks = map[string]Loudspeaker{
	"P01": {Name: "smartphone speaker A", Low: 500, LowOrder: 4, High: 7000, HighOrder: 2, Peaks: []Peak{{1000, 4, 2}, {3200, 5, 3}, {5500, -4, 2}}, H2: 0.02, H3: 0.03, SRC: speex(4)},
	"P02": {Name: "laptop speakers A", Low: 320, LowOrder: 4, High: 7200, HighOrder: 2, Peaks: []Peak{{800, 3, 1.5}, {2500, 4, 2}, {4500, -5, 2}}, H2: 0.015, H3: 0.02, SRC: speex(1)},
	"P03": {Name: "portable Bluetooth speaker", Low: 140, LowOrder: 4, High: 7600, HighOrder: 2, Peaks: []Peak{{180, 5, 1.2}, {3000, -3, 1.5}}, H2: 0.01, H3: 0.015, SRC: speex(4)},
	"P04": {Name: "tablet speakers A", Low: 400, LowOrder: 4, High: 7400, HighOrder: 2, Peaks: []Peak{{1200, 3, 2}, {4200, 4, 3}}, H2: 0.015, H3: 0.025, SRC: speex(4)},
	"P05": {Name: "smartphone speaker B", Low: 600, LowOrder: 4, High: 6800, HighOrder: 4, Peaks: []Peak{{1800, 6, 3}, {3800, 3, 2}}, H2: 0.025, H3: 0.04, SRC: speex(4)},
	"P06": {Name: "desktop PC speakers", Low: 180, LowOrder: 2, High: 7800, HighOrder: 2, Peaks: []Peak{{250, 4, 1}, {2000, -2, 1}, {6000, 3, 2}}, H2: 0.008, H3: 0.01, SRC: speex(1)},
	"P07": {Name: "hi-fi bookshelf speakers", Low: 70, LowOrder: 2, High: 7900, HighOrder: 2, Peaks: []Peak{{120, 2, 1}, {2800, -1.5, 1.5}}, H2: 0.003, H3: 0.004, SRC: speex(4)},
	"P08": {Name: "smart speaker", Low: 110, LowOrder: 4, High: 7500, HighOrder: 2, Peaks: []Peak{{150, 6, 1}, {1000, -2, 1}, {4000, 2, 2}}, H2: 0.006, H3: 0.01, SRC: speex(4)},
	"P09": {Name: "headphones against the microphone", Low: 200, LowOrder: 2, High: 7000, HighOrder: 2, Peaks: []Peak{{3000, 8, 2.5}, {6000, -6, 2}}, H2: 0.004, H3: 0.006, SRC: speex(4)},
	"P10": {Name: "active studio monitor B", Low: 55, LowOrder: 4, High: 7900, HighOrder: 2, Peaks: []Peak{{2000, 1, 1}}, H2: 0.001, H3: 0.001, SRC: speex(10)},
	"P11": {Name: "handheld megaphone", Low: 700, LowOrder: 4, High: 5000, HighOrder: 4, Peaks: []Peak{{1500, 8, 2}}, H2: 0.06, H3: 0.08, SRC: speex(4)},
	"P12": {Name: "soundbar", Low: 90, LowOrder: 2, High: 7800, HighOrder: 2, Peaks: []Peak{{200, 3, 1}, {2500, 2, 1.5}}, H2: 0.004, H3: 0.005, SRC: speex(4)},
	"P13": {Name: "laptop headphone output (line)", Line: true, Low: 20, LowOrder: 2, High: 7900, HighOrder: 2, H2: 0.0005, H3: 0.001, SRC: speex(1)},
	"P14": {Name: "hi-fi floor-standing speakers", Low: 50, LowOrder: 2, High: 7900, HighOrder: 2, Peaks: []Peak{{80, 2, 1}, {1500, -1, 1}}, H2: 0.002, H3: 0.002, SRC: speex(4)},
	"P15": {Name: "active studio monitor A", Low: 45, LowOrder: 4, High: 7950, HighOrder: 2, H2: 0.0005, H3: 0.0008, SRC: speex(10)},
	"P16": {Name: "Bluetooth headset speaker", Low: 300, LowOrder: 2, High: 6500, HighOrder: 2, Peaks: []Peak{{2500, 7, 2}}, H2: 0.02, H3: 0.02, SRC: speex(4)},
	"P17": {Name: "mini speaker cube", Low: 250, LowOrder: 4, High: 7500, HighOrder: 2, Peaks: []Peak{{400, 6, 2}, {5000, 3, 2}}, H2: 0.02, H3: 0.03, SRC: speex(4)},
	"P18": {Name: "feature-phone earpiece", Low: 400, LowOrder: 4, High: 3800, HighOrder: 4, Peaks: []Peak{{1000, 5, 2}}, H2: 0.04, H3: 0.05, SRC: speex(4)},
	"P19": {Name: "portable radio-cassette", Low: 150, LowOrder: 2, High: 5500, HighOrder: 4, Peaks: []Peak{{800, 3, 1}, {2000, 3, 1}}, H2: 0.03, H3: 0.02, SRC: speex(4)},
	"P20": {Name: "laptop speakers B", Low: 350, LowOrder: 4, High: 7000, HighOrder: 2, Peaks: []Peak{{900, 4, 2}, {3500, 5, 2.5}, {6000, -3, 2}}, H2: 0.012, H3: 0.02, SRC: speex(1)},
	"P21": {Name: "smartphone speaker C", Low: 450, LowOrder: 4, High: 7600, HighOrder: 2, Peaks: []Peak{{2200, 5, 2.5}, {4500, 4, 3}}, H2: 0.02, H3: 0.03, SRC: speex(4)},
	"P22": {Name: "tablet speakers B", Low: 280, LowOrder: 4, High: 7300, HighOrder: 2, Peaks: []Peak{{700, 3, 1.5}, {3300, 5, 2}}, H2: 0.012, H3: 0.02, SRC: speex(4)},
	"P23": {Name: "USB audio interface output (line)", Line: true, Low: 10, LowOrder: 2, High: 7950, HighOrder: 2, H2: 0.0002, H3: 0.0004, SRC: speex(10)},
	"P24": {Name: "mixing console output (line)", Line: true, Low: 15, LowOrder: 2, High: 7900, HighOrder: 2, H2: 0.0008, H3: 0.0015, SRC: speex(10)},
	"P25": {Name: "car audio system", Low: 60, LowOrder: 2, High: 7000, HighOrder: 2, Peaks: []Peak{{120, 5, 1}, {3000, -3, 1.5}}, H2: 0.006, H3: 0.008, SRC: speex(4)},
	"P26": {Name: "phone on the car dashboard", Low: 500, LowOrder: 4, High: 7000, HighOrder: 2, Peaks: []Peak{{2000, 5, 2}}, H2: 0.025, H3: 0.03, SRC: speex(4)},
}

// recorders maps the ASVspoof 2017 recording-device IDs to microphones.
var recorders = map[string]Microphone{
	"R01": {Name: "smartphone A", Low: 110, LowOrder: 2, High: 7600, HighOrder: 4, Peaks: []Peak{{2500, 3, 2}, {6000, 2, 2}}, NoiseDB: -62, AGC: 0.8, SelfNoise: 29},
	"R02": {Name: "smartphone B", Low: 150, LowOrder: 2, High: 7400, HighOrder: 4, Peaks: []Peak{{1800, 2, 2}, {4500, 4, 3}}, NoiseDB: -60, AGC: 0.7, SelfNoise: 33},
	"R03": {Name: "tablet A", Low: 120, LowOrder: 2, High: 7200, HighOrder: 4, Peaks: []Peak{{3000, 3, 2}}, NoiseDB: -58, AGC: 0.6, SelfNoise: 33},
	"R04": {Name: "laptop microphone A", Low: 200, LowOrder: 2, High: 7000, HighOrder: 4, Peaks: []Peak{{1000, 2, 1}, {5000, -4, 2}}, NoiseDB: -55, AGC: 0.9, SRC: soxHigh, SelfNoise: 33},
	"R05": {Name: "USB headset", Low: 100, LowOrder: 2, High: 7300, HighOrder: 4, Peaks: []Peak{{3500, 4, 2}}, NoiseDB: -60, AGC: 0.5, SRC: soxHigh, SelfNoise: 32},
	"R06": {Name: "smartphone C", Low: 130, LowOrder: 2, High: 7700, HighOrder: 4, Peaks: []Peak{{2200, 2, 2}, {7000, -3, 2}}, NoiseDB: -61, AGC: 0.8, SelfNoise: 29},
	"R07": {Name: "handheld digital recorder", Low: 60, LowOrder: 2, High: 7900, HighOrder: 4, NoiseDB: -70, SRC: soxHigh, SelfNoise: 32},
	"R08": {Name: "sound-card line input", Line: true, Low: 15, LowOrder: 2, High: 7900, HighOrder: 4, NoiseDB: -85, SRC: soxHigh},
	"R09": {Name: "lavalier microphone", Low: 80, LowOrder: 2, High: 7800, HighOrder: 4, Peaks: []Peak{{6000, 4, 2}}, NoiseDB: -66, SRC: soxHigh, SelfNoise: 32},
	"R10": {Name: "webcam microphone", Low: 180, LowOrder: 2, High: 6500, HighOrder: 4, Peaks: []Peak{{1500, 3, 1.5}, {4000, -3, 2}}, NoiseDB: -52, AGC: 0.9, SRC: soxHigh, SelfNoise: 33},
	"R11": {Name: "smartphone D", Low: 140, LowOrder: 2, High: 7500, HighOrder: 4, Peaks: []Peak{{2700, 4, 3}}, NoiseDB: -60, AGC: 0.8, SelfNoise: 33},
	"R12": {Name: "feature phone", Low: 300, LowOrder: 4, High: 3600, HighOrder: 4, Peaks: []Peak{{1200, 4, 2}}, NoiseDB: -50, AGC: 0.9, SelfNoise: 33},
	"R13": {Name: "studio condenser microphone", Low: 40, LowOrder: 2, High: 7950, HighOrder: 4, Peaks: []Peak{{5000, 1, 1.5}}, NoiseDB: -78, SRC: soxHigh, SelfNoise: 15, Gradient: true},
	"R14": {Name: "laptop microphone B", Low: 180, LowOrder: 2, High: 7200, HighOrder: 4, Peaks: []Peak{{1300, 3, 2}, {5500, -3, 2}}, NoiseDB: -56, AGC: 0.9, SRC: soxHigh, SelfNoise: 33},
	"R15": {Name: "smartphone E", Low: 120, LowOrder: 2, High: 7700, HighOrder: 4, Peaks: []Peak{{3200, 3, 2}}, NoiseDB: -62, AGC: 0.7, SelfNoise: 29},
	"R16": {Name: "car hands-free microphone", Low: 250, LowOrder: 2, High: 6800, HighOrder: 4, Peaks: []Peak{{1800, 3, 1}}, NoiseDB: -54, AGC: 0.9, SelfNoise: 33},
	"R17": {Name: "tablet B", Low: 150, LowOrder: 2, High: 7400, HighOrder: 4, Peaks: []Peak{{2400, 3, 2}}, NoiseDB: -60, AGC: 0.7, SelfNoise: 33},
	"R18": {Name: "smartphone F", Low: 100, LowOrder: 2, High: 7600, HighOrder: 4, Peaks: []Peak{{1600, 2, 2}, {5200, 3, 3}}, NoiseDB: -63, AGC: 0.8, SelfNoise: 29},
	"R19": {Name: "smart watch", Low: 300, LowOrder: 2, High: 6000, HighOrder: 4, Peaks: []Peak{{2500, 6, 2}}, NoiseDB: -52, AGC: 0.9, SelfNoise: 33},
	"R20": {Name: "dynamic handheld microphone", Low: 70, LowOrder: 2, High: 7000, HighOrder: 4, Peaks: []Peak{{4500, 5, 1.5}}, NoiseDB: -68, SRC: soxHigh, SelfNoise: 18, Gradient: true},
	"R21": {Name: "conference speakerphone", Low: 160, LowOrder: 2, High: 7000, HighOrder: 4, Peaks: []Peak{{1000, -2, 1}, {3000, 3, 1.5}}, NoiseDB: -60, AGC: 1, SelfNoise: 33},
	"R22": {Name: "smartphone G", Low: 120, LowOrder: 2, High: 7650, HighOrder: 4, Peaks: []Peak{{2900, 3, 2.5}}, NoiseDB: -62, AGC: 0.8, SelfNoise: 29},
	"R23": {Name: "audio interface line input", Line: true, Low: 10, LowOrder: 2, High: 7950, HighOrder: 4, NoiseDB: -88, SRC: soxHigh},
	"R24": {Name: "portable recorder line input", Line: true, Low: 20, LowOrder: 2, High: 7900, HighOrder: 4, NoiseDB: -84, SRC: soxHigh},
	"R25": {Name: "laptop microphone C", Low: 210, LowOrder: 2, High: 7100, HighOrder: 4, Peaks: []Peak{{900, 2, 1.5}, {4800, -3, 2}}, NoiseDB: -55, AGC: 0.9, SRC: soxHigh, SelfNoise: 33},
}

// genuinePhones are the speakers' own phones, which record every genuine
// take and every source recording a replay starts from (the RedDots
// speakers recorded themselves on their phones). One per speaker, chosen
// by VoiceFor's seed.
var genuinePhones = []Microphone{
	{Name: "speaker phone 1", Low: 100, LowOrder: 2, High: 7700, HighOrder: 4, Peaks: []Peak{{2600, 3, 2}}, NoiseDB: -64, AGC: 0.7, SelfNoise: 29},
	{Name: "speaker phone 2", Low: 130, LowOrder: 2, High: 7500, HighOrder: 4, Peaks: []Peak{{1900, 2, 2}, {4800, 3, 3}}, NoiseDB: -62, AGC: 0.8, SelfNoise: 33},
	{Name: "speaker phone 3", Low: 90, LowOrder: 2, High: 7800, HighOrder: 4, Peaks: []Peak{{3300, 4, 2.5}}, NoiseDB: -65, AGC: 0.6, SelfNoise: 29},
	{Name: "speaker phone 4", Low: 160, LowOrder: 2, High: 7300, HighOrder: 4, Peaks: []Peak{{1200, 2, 1.5}, {5500, 2, 2}}, NoiseDB: -60, AGC: 0.9, SelfNoise: 33},
	{Name: "speaker phone 5", Low: 110, LowOrder: 2, High: 7650, HighOrder: 4, Peaks: []Peak{{2300, 3, 2}, {6500, -3, 2}}, NoiseDB: -63, AGC: 0.8, SelfNoise: 29},
	{Name: "speaker phone 6", Low: 120, LowOrder: 2, High: 7600, HighOrder: 4, Peaks: []Peak{{2900, 2, 2}}, NoiseDB: -61, AGC: 0.7, SelfNoise: 33},
}

// EnvironmentOf, PlaybackOf and RecorderOf return the parameters of a
// condition ID (copies: the tables cannot be changed). An ID outside the
// tables (other corpora use the same layout) gets parameters drawn from a
// generator keyed by the ID alone, so it too is stable.
func EnvironmentOf(id string) Environment { return environmentFor(id) }

// PlaybackOf returns the loudspeaker of a playback-device ID (see EnvironmentOf).
func PlaybackOf(id string) Loudspeaker {
	p := playbackFor(id)
	p.Peaks = append([]Peak(nil), p.Peaks...)
	return p
}

// RecorderOf returns the microphone of a recording-device ID (see EnvironmentOf).
func RecorderOf(id string) Microphone {
	m := recorderFor(id)
	m.Peaks = append([]Peak(nil), m.Peaks...)
	return m
}

func environmentFor(id string) Environment {
	if e, ok := environments[id]; ok {
		return e
	}
	r := newRand(0, "environment", id)
	return Environment{Name: "generated " + id, RT60: uniform(r, 0.1, 1.2), Dist: uniform(r, 0.4, 2),
		Volume: uniform(r, 20, 400), Noise: NoiseKind(r.IntN(int(NoiseCar) + 1)), SNR: uniform(r, 15, 45)}
}

func playbackFor(id string) Loudspeaker {
	if p, ok := playbacks[id]; ok {
		return p
	}
	r := newRand(0, "playback", id)
	p := Loudspeaker{Name: "generated " + id, Low: uniform(r, 60, 600), LowOrder: 2 + 2*r.IntN(2),
		High: uniform(r, 5500, 7900), HighOrder: 2, H2: uniform(r, 0.002, 0.03), H3: uniform(r, 0.002, 0.04)}
	for range 1 + r.IntN(3) {
		p.Peaks = append(p.Peaks, Peak{uniform(r, 300, 6000), uniform(r, -5, 7), uniform(r, 1, 3)})
	}
	p.SRC = speex(r.IntN(11))
	return p
}

func recorderFor(id string) Microphone {
	if m, ok := recorders[id]; ok {
		return m
	}
	r := newRand(0, "recorder", id)
	m := Microphone{Name: "generated " + id, Low: uniform(r, 60, 250), LowOrder: 2,
		High: uniform(r, 6000, 7900), HighOrder: 4, NoiseDB: uniform(r, -70, -52), AGC: r.Float64()}
	for range r.IntN(3) {
		m.Peaks = append(m.Peaks, Peak{uniform(r, 800, 6500), uniform(r, -4, 5), uniform(r, 1, 3)})
	}
	return m
}

// DescribeCondition returns the human-readable name of an environment,
// playback or recording-device ID (for reports), e.g. "E09" → "cantine".
func DescribeCondition(id string) string {
	if len(id) == 0 {
		return ""
	}
	switch id[0] {
	case 'E':
		return environmentFor(id).Name
	case 'P':
		return playbackFor(id).Name
	case 'R':
		return recorderFor(id).Name
	}
	return ""
}

// ConditionTable returns the built-in condition IDs in sorted order with
// their names, for documentation and reports.
func ConditionTable() [][2]string {
	var rows [][2]string
	for id, e := range environments {
		rows = append(rows, [2]string{id, e.Name})
	}
	for id, p := range playbacks {
		rows = append(rows, [2]string{id, p.Name})
	}
	for id, m := range recorders {
		rows = append(rows, [2]string{id, m.Name})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i][0] < rows[j][0] })
	return rows
}
