package train

import (
	"errors"
	"math"
	"testing"

	"github.com/deep4deep/deep4deep/features"
)

// TestGMMOptionsValidate: a bad value is an error naming its field, never
// replaced by a default; zero values mean the defaults.
func TestGMMOptionsValidate(t *testing.T) {
	ok := GMMOptions{Out: "m"}
	if err := ok.Validate(); err != nil {
		t.Fatalf("zero options with Out: %v", err)
	}
	for _, tc := range []struct {
		field string
		edit  func(*GMMOptions)
	}{
		{"Out", func(o *GMMOptions) { o.Out = "" }},
		{"Components", func(o *GMMOptions) { o.Components = -1 }},
		{"Iters", func(o *GMMOptions) { o.Iters = -5 }},
		{"Tol", func(o *GMMOptions) { o.Tol = math.NaN() }},
		{"Tol", func(o *GMMOptions) { o.Tol = -1e-3 }},
		{"MaxFrames", func(o *GMMOptions) { o.MaxFrames = -1 }},
		{"Threads", func(o *GMMOptions) { o.Threads = -2 }},
		{"Features", func(o *GMMOptions) { o.Features = features.Config{Kind: "nope"} }},
	} {
		o := ok
		tc.edit(&o)
		var oe *OptionError
		if err := o.Validate(); !errors.As(err, &oe) || oe.Field != tc.field {
			t.Errorf("%s: err = %v, want an OptionError for it", tc.field, err)
		}
	}
}
