//go:build !amd64 || purego || d4dcheck

package nn

// archKernels: no assembly in this build; the Go kernels run.
func archKernels() []archSet { return nil }
