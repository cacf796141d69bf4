package features

import "fmt"

// DefaultConfig returns the default configuration of kind k at 16 kHz
// (DESIGN §3): 25 ms Hamming frames every 5 ms, NFFT 2048, 64 mel filters for
// fbank and mfcc (20 cepstra, c0 included, no deltas). spec uses NFFT 512,
// the smallest power of two holding a 400-sample frame (2048 would only
// interpolate the spectrum and give 1025 dims). Unknown kinds give a Config
// that New rejects.
func DefaultConfig(k Kind) Config {
	stft := Config{Kind: k, SampleRate: 16000, WindowSeconds: 0.025, HopSeconds: 0.005, NFFT: 2048, NumFilters: 64}
	switch k {
	case Fbank:
		return stft
	case MFCC:
		stft.NumCeps = 20
		return stft
	case Spec:
		stft.NFFT, stft.NumFilters = 512, 0
		return stft
	case LFCC:
		return defaultLFCC()
	case CQCC:
		return defaultCQCC()
	}
	return Config{Kind: k}
}

// New returns an extractor for c after validating it.
func New(c Config) (Extractor, error) {
	var (
		e   Extractor
		err error
	)
	switch c.Kind {
	case Fbank:
		e, err = newFbank(c)
	case MFCC:
		e, err = newMFCC(c)
	case Spec:
		e, err = newSpec(c)
	case LFCC:
		e, err = newLFCC(c)
	case CQCC:
		e, err = newCQCC(c)
	default:
		_, err = ParseKind(string(c.Kind))
	}
	if err != nil {
		return nil, fmt.Errorf("%s features: %w", c.Kind, err)
	}
	return e, nil
}
