// Package plot draws deep4deep's PNG figures with gonum.org/v1/plot: DET
// curves comparing systems (det.go), training curves (curves.go) and
// spectrograms (spectrogram.go). Every function writes its file atomically,
// so a crash never leaves a half-drawn figure, and has a variant returning
// the PNG bytes for callers that embed the figure elsewhere.
package plot
