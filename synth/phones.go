package synth

import (
	"fmt"
	"strings"
)

// phoneClass is the manner of articulation of a segment; it decides which
// sources (voicing, aspiration, frication, burst) drive the vocal tract.
type phoneClass uint8

const (
	classVowel phoneClass = iota
	classApprox
	classNasal
	classFric
	classStop
	classAffric
	classAspir // /h/
)

// place is the place of articulation of stops; it fixes the burst spectrum
// and the second-formant locus the neighbouring transitions point to.
type place uint8

const (
	labial place = iota
	alveolar
	velar
)

// phone holds the acoustic targets of one segment for an adult male vocal
// tract of 17.5 cm (Peterson & Barney 1952 / Hillenbrand et al. 1995
// averages, rounded). A zero formant means "no target of its own": the
// track is interpolated from the neighbours (coarticulation).
type phone struct {
	class  phoneClass
	voiced bool
	f      [4]float64 // F1–F4 targets at the segment start (Hz)
	fEnd   [4]float64 // diphthong end targets; zero: same as f
	dur    float64    // intrinsic duration at speaking rate 1 (s)
	fric   float64    // frication centre frequency (Hz)
	fricBW float64    // frication bandwidth (Hz)
	fricA  float64    // frication amplitude relative to vowels
	nasalZ float64    // nasal antiresonance (Hz), nasals only
	place  place      // stops and affricates
}

// phones is the inventory, keyed by ARPAbet symbol.
var phones = map[string]phone{
	// monophthongs
	"iy": {class: classVowel, voiced: true, f: [4]float64{270, 2290, 3010, 3500}, dur: 0.095},
	"ih": {class: classVowel, voiced: true, f: [4]float64{390, 1990, 2550, 3500}, dur: 0.075},
	"eh": {class: classVowel, voiced: true, f: [4]float64{530, 1840, 2480, 3500}, dur: 0.090},
	"ae": {class: classVowel, voiced: true, f: [4]float64{660, 1720, 2410, 3500}, dur: 0.120},
	"aa": {class: classVowel, voiced: true, f: [4]float64{730, 1090, 2440, 3500}, dur: 0.120},
	"ao": {class: classVowel, voiced: true, f: [4]float64{570, 840, 2410, 3500}, dur: 0.120},
	"uh": {class: classVowel, voiced: true, f: [4]float64{440, 1020, 2240, 3500}, dur: 0.080},
	"uw": {class: classVowel, voiced: true, f: [4]float64{300, 870, 2240, 3500}, dur: 0.100},
	"ah": {class: classVowel, voiced: true, f: [4]float64{640, 1190, 2390, 3500}, dur: 0.085},
	"er": {class: classVowel, voiced: true, f: [4]float64{490, 1350, 1690, 3500}, dur: 0.110},
	"ax": {class: classVowel, voiced: true, f: [4]float64{500, 1500, 2500, 3500}, dur: 0.055},
	// diphthongs
	"ay": {class: classVowel, voiced: true, f: [4]float64{730, 1100, 2450, 3500}, fEnd: [4]float64{400, 1950, 2600, 3500}, dur: 0.170},
	"oy": {class: classVowel, voiced: true, f: [4]float64{560, 850, 2400, 3500}, fEnd: [4]float64{380, 1900, 2550, 3500}, dur: 0.180},
	"ey": {class: classVowel, voiced: true, f: [4]float64{480, 1850, 2500, 3500}, fEnd: [4]float64{320, 2150, 2800, 3500}, dur: 0.140},
	"ow": {class: classVowel, voiced: true, f: [4]float64{550, 950, 2400, 3500}, fEnd: [4]float64{360, 800, 2300, 3500}, dur: 0.150},
	"aw": {class: classVowel, voiced: true, f: [4]float64{730, 1200, 2450, 3500}, fEnd: [4]float64{430, 950, 2300, 3500}, dur: 0.170},
	// approximants
	"l": {class: classApprox, voiced: true, f: [4]float64{360, 1000, 2700, 3500}, dur: 0.060},
	"r": {class: classApprox, voiced: true, f: [4]float64{310, 1060, 1400, 3300}, dur: 0.060},
	"w": {class: classApprox, voiced: true, f: [4]float64{290, 650, 2150, 3400}, dur: 0.055},
	"y": {class: classApprox, voiced: true, f: [4]float64{260, 2070, 3020, 3600}, dur: 0.055},
	// nasals
	"m":  {class: classNasal, voiced: true, f: [4]float64{260, 1000, 2200, 3400}, dur: 0.070, nasalZ: 750},
	"n":  {class: classNasal, voiced: true, f: [4]float64{260, 1500, 2550, 3400}, dur: 0.060, nasalZ: 1450},
	"ng": {class: classNasal, voiced: true, f: [4]float64{260, 2000, 2650, 3400}, dur: 0.070, nasalZ: 2500},
	// fricatives
	"s":  {class: classFric, fric: 5500, fricBW: 2600, fricA: 0.55, dur: 0.105},
	"z":  {class: classFric, voiced: true, fric: 5300, fricBW: 2600, fricA: 0.30, dur: 0.080},
	"sh": {class: classFric, fric: 3200, fricBW: 1800, fricA: 0.60, dur: 0.105},
	"zh": {class: classFric, voiced: true, fric: 3100, fricBW: 1800, fricA: 0.30, dur: 0.075},
	"f":  {class: classFric, fric: 4500, fricBW: 6000, fricA: 0.16, dur: 0.095},
	"v":  {class: classFric, voiced: true, fric: 4000, fricBW: 6000, fricA: 0.10, dur: 0.060},
	"th": {class: classFric, fric: 5000, fricBW: 6000, fricA: 0.12, dur: 0.090},
	"dh": {class: classFric, voiced: true, fric: 4500, fricBW: 6000, fricA: 0.08, dur: 0.045},
	"hh": {class: classAspir, dur: 0.060},
	// stops and affricates
	"p":  {class: classStop, place: labial, dur: 0.075},
	"b":  {class: classStop, voiced: true, place: labial, dur: 0.065},
	"t":  {class: classStop, place: alveolar, dur: 0.070},
	"d":  {class: classStop, voiced: true, place: alveolar, dur: 0.060},
	"k":  {class: classStop, place: velar, dur: 0.075},
	"g":  {class: classStop, voiced: true, place: velar, dur: 0.065},
	"ch": {class: classAffric, place: alveolar, fric: 3300, fricBW: 1800, fricA: 0.6, dur: 0.110},
	"jh": {class: classAffric, voiced: true, place: alveolar, fric: 3200, fricBW: 1800, fricA: 0.35, dur: 0.090},
}

// phrases are the ten RedDots pass-phrases of ASVspoof 2017 (DESIGN §1) with
// a broad ARPAbet transcription: words separated by "|", a "1" marks the
// vowel carrying the phrase accent. The transcriptions keep each phrase's
// segment sequence stable across speakers and takes.
var phrases = map[string]struct{ Text, Phones string }{
	"S01": {"My voice is my password", "m ay | v oy1 s | ih z | m ay | p ae1 s w er d"},
	"S02": {"OK Google", "ow k ey1 | g uw1 g ax l"},
	"S03": {"Only lawyers love millionaires", "ow1 n l iy | l oy1 er z | l ah v | m ih l y ax n eh1 r z"},
	"S04": {"Artificial intelligence is for real", "aa r t ih f ih1 sh ax l | ih n t eh1 l ih jh ax n s | ih z | f ao r | r iy1 l"},
	"S05": {"Birthday parties have cupcakes and ice cream", "b er1 th d ey | p aa1 r t iy z | hh ae v | k ah1 p k ey k s | ae n d | ay s | k r iy1 m"},
	"S06": {"Actions speak louder than words", "ae1 k sh ax n z | s p iy1 k | l aw1 d er | dh ae n | w er1 d z"},
	"S07": {"There is no such thing as a free lunch", "dh eh r | ih z | n ow1 | s ah ch | th ih1 ng | ae z | ax | f r iy1 | l ah1 n ch"},
	"S08": {"A watched pot never boils", "ax | w aa1 ch t | p aa1 t | n eh1 v er | b oy1 l z"},
	"S09": {"Jealousy has twenty-twenty vision", "jh eh1 l ax s iy | hh ae z | t w eh1 n t iy | t w eh1 n t iy | v ih1 zh ax n"},
	"S10": {"Necessity is the mother of invention", "n ax s eh1 s ih t iy | ih z | dh ax | m ah1 dh er | ax v | ih n v eh1 n sh ax n"},
}

// PhraseText returns the words of a RedDots phrase ID ("S01" → "My voice
// is my password") and whether the ID is one of S01–S10.
func PhraseText(id string) (string, bool) {
	p, ok := phrases[id]
	return p.Text, ok
}

// segment is one phone of a parsed phrase.
type segment struct {
	sym      string
	ph       phone
	stressed bool
	wordEnd  bool // last phone of a word (a pause may follow)
}

// parsePhones turns a transcription into segments.
func parsePhones(s string) ([]segment, error) {
	var segs []segment
	for _, tok := range strings.Fields(s) {
		if tok == "|" {
			if len(segs) > 0 {
				segs[len(segs)-1].wordEnd = true
			}
			continue
		}
		stressed := strings.HasSuffix(tok, "1")
		sym := strings.TrimSuffix(tok, "1")
		ph, ok := phones[sym]
		if !ok {
			return nil, fmt.Errorf("unknown phone %q", sym)
		}
		segs = append(segs, segment{sym: sym, ph: ph, stressed: stressed})
	}
	if len(segs) == 0 {
		return nil, fmt.Errorf("empty transcription")
	}
	segs[len(segs)-1].wordEnd = true
	return segs, nil
}

// phraseSegments returns the segments of a phrase ID. Phrase IDs outside
// S01–S10 (other corpora) get a stable pseudo-phrase built from the ID's
// hash, so that every row can be synthesised.
func phraseSegments(id string) []segment {
	if p, ok := phrases[id]; ok {
		segs, err := parsePhones(p.Phones)
		if err != nil {
			panic("synth: bad built-in transcription " + id + ": " + err.Error()) // programming error
		}
		return segs
	}
	r := newRand(0, "phrase", id)
	cons := []string{"p", "t", "k", "b", "d", "g", "s", "z", "f", "v", "m", "n", "l", "r", "w", "sh"}
	vows := []string{"iy", "ih", "eh", "ae", "aa", "ao", "uw", "ah", "er", "ay", "ow", "ey"}
	var b strings.Builder
	words := 2 + r.IntN(4)
	for w := range words {
		if w > 0 {
			b.WriteString(" | ")
		}
		syl := 1 + r.IntN(3)
		acc := r.IntN(syl)
		for s := range syl {
			b.WriteString(cons[r.IntN(len(cons))] + " " + vows[r.IntN(len(vows))])
			if s == acc {
				b.WriteString("1")
			}
			b.WriteString(" ")
		}
		b.WriteString(cons[r.IntN(len(cons))])
	}
	segs, _ := parsePhones(b.String())
	return segs
}
