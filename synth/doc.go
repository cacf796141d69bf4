// Package synth writes deep4deep's synthetic replay-attack corpus (DESIGN §6):
// the layout, protocols and file names of ASVspoof 2017 V2 (DESIGN §1), with
// audio made in pure Go, deterministic for a seed.
//
// Speech comes from a Klatt-style cascade/parallel formant synthesiser
// (speech.go) driven by per-speaker voices (voice.go) and broad phonetic
// transcriptions of the ten RedDots phrases (phones.go), or from real
// recordings (Sources). Genuine trials pass through the speaker's recording
// session and phone; spoof trials replay such a recording through a
// loudspeaker, a room and a recording device (channel.go), each condition ID
// mapping to fixed, documented parameters (conditions.go).
//
// Every random choice is drawn from a PCG stream keyed by the seed and the
// file name (or speaker, or condition), so output bytes do not depend on the
// number of workers, and a scaled corpus is a byte-identical subset of the
// full one.
package synth
