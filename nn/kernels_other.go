//go:build !amd64 || purego || d4dcheck

package nn

func bestKernels() kernelSet { return goKernels }

func allKernels() []kernelSet { return []kernelSet{goKernels} }
