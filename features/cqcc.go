package features

import "errors"

// CQCCParams holds the constant-Q cepstral parameters (SPEC §3).
// Placeholder: the CQCC owner replaces this file.
type CQCCParams struct{}

func defaultCQCC() Config { return Config{Kind: CQCC, SampleRate: 16000, CQCC: &CQCCParams{}} }

func newCQCC(c Config) (Extractor, error) { return nil, errors.New("cqcc: not implemented yet") }
