package features

// LFCCParams holds the linear-frequency cepstral parameters.
// Placeholder: the LFCC owner replaces this file.
type LFCCParams struct{}
