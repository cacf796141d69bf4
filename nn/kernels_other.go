//go:build !amd64 || purego

package nn

func bestKernels() kernelSet { return goKernels }

func allKernels() []kernelSet { return []kernelSet{goKernels} }
