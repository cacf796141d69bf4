package features

import "errors"

// LFCCParams holds the linear-frequency cepstral parameters.
// Placeholder: the LFCC owner replaces this file.
type LFCCParams struct{}

func defaultLFCC() Config { return Config{Kind: LFCC, SampleRate: 16000, LFCC: &LFCCParams{}} }

func newLFCC(c Config) (Extractor, error) { return nil, errors.New("lfcc: not implemented yet") }
