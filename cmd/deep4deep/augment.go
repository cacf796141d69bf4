package main

import (
	"github.com/deep4deep/deep4deep/augment"
	"github.com/deep4deep/deep4deep/internal/cli"
	"github.com/deep4deep/deep4deep/train"
)

// setAugment parses train --augment SPEC into the trainer's options.
func setAugment(o *train.CNNOptions, spec string) error {
	sp, err := augment.Parse(spec)
	if err != nil {
		return cli.Usagef("train: --augment: %v", err)
	}
	o.AugmentSpec = sp.String()
	if f := sp.WaveFunc(); f != nil {
		o.Augment = f
	}
	if f := sp.FeatureFunc(); f != nil {
		o.AugmentFeatures = f
	}
	return nil
}
