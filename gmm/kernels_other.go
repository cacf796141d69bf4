//go:build !amd64 || purego || d4dcheck

package gmm

// archKernels lists no assembly kernel sets: off amd64, and in the purego
// and d4dcheck builds, the Go reference kernels run (bounds-checked).
func archKernels() []archSet { return nil }
