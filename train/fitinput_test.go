package train

import (
	"testing"

	"github.com/deep4deep/deep4deep/features"
	"github.com/deep4deep/deep4deep/nn"
)

// TestFitInput: a shipped network takes each feature kind's dimension (the
// published layouts: 64 mel bands, 90 = 30 CQCC + Δ + ΔΔ, 60 = 20 LFCC +
// Δ + ΔΔ, 257 bins of a 512-point FFT) and builds.
func TestFitInput(t *testing.T) {
	for _, tc := range []struct {
		arch string
		kind features.Kind
		dim  int
	}{
		{"seed-cnn", features.Fbank, 64},
		{"seed-cnn", features.CQCC, 90},
		{"seed-cnn", features.LFCC, 60},
		{"seed-cnn", features.Spec, 257},
		{"lcnn", features.CQCC, 90},
		{"seed-cnn-stats", features.LFCC, 60},
	} {
		a, err := nn.ArchByName(tc.arch)
		if err != nil {
			t.Fatal(err)
		}
		f, err := FitInput(a, features.DefaultConfig(tc.kind))
		if err != nil {
			t.Fatalf("%s on %s: %v", tc.arch, tc.kind, err)
		}
		if f.InputHeight != tc.dim || f.Name != a.Name || a.InputHeight == 0 {
			t.Errorf("%s on %s: input height %d (name %q), want %d", tc.arch, tc.kind, f.InputHeight, f.Name, tc.dim)
		}
		if _, err := nn.New(f, 1); err != nil {
			t.Errorf("%s on %s: %v", tc.arch, tc.kind, err)
		}
	}
	if _, err := FitInput(nn.DefaultArch(), features.Config{Kind: features.CQCC}); err == nil {
		t.Error("FitInput with an invalid features config: no error")
	}
}
