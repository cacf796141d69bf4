package features

// CQCCParams holds the constant-Q cepstral parameters (SPEC §3).
// Placeholder: the CQCC owner replaces this file.
type CQCCParams struct{}
