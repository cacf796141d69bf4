package train

import (
	"bytes"
	"fmt"
	"math"
	"path/filepath"
	"strconv"

	"github.com/deep4deep/deep4deep/internal/atomicfile"
)

// Epoch is one row of train-log.csv: what an epoch of CNN training did.
type Epoch struct {
	Epoch         int     `json:"epoch"`
	TrainLoss     float64 `json:"train_loss"`     // mean cross-entropy over the epoch's samples
	TrainAccuracy float64 `json:"train_accuracy"` // fraction of samples classified right (training mode)
	DevLoss       float64 `json:"dev_loss"`       // mean cross-entropy over the scored dev frames
	DevEER        float64 `json:"dev_eer"`        // dev utterance ROCCH-EER, fraction
	SamplesPerSec float64 `json:"samples_per_s"`  // training samples per second of training time
	Seconds       float64 `json:"seconds"`        // wall time of the epoch (training and dev evaluation)
}

// LogFile is the training log in the model directory (the CLI draws
// curves.png beside it from Result.Log).
const LogFile = "train-log.csv"

// writeLog writes train-log.csv atomically.
func writeLog(dir string, rows []Epoch) error {
	var b bytes.Buffer
	b.WriteString("epoch,train_loss,train_accuracy,dev_loss,dev_eer,samples_per_s,seconds\n")
	f := func(v float64) string {
		if math.IsNaN(v) {
			return ""
		}
		return strconv.FormatFloat(v, 'g', 8, 64)
	}
	for _, r := range rows {
		fmt.Fprintf(&b, "%d,%s,%s,%s,%s,%.1f,%.2f\n", r.Epoch, f(r.TrainLoss), f(r.TrainAccuracy), f(r.DevLoss), f(r.DevEER), r.SamplesPerSec, r.Seconds)
	}
	return atomicfile.WriteFile(filepath.Join(dir, LogFile), b.Bytes(), 0o644)
}
