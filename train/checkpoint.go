package train

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/deep4deep/deep4deep/nn"
	"github.com/deep4deep/deep4deep/safetensors"
)

// CheckpointDir is the folder of the checkpoint inside a model directory.
const CheckpointDir = "checkpoint"

// checkpointFile holds everything in one file — network, optimiser, RNG and
// loop state — so that one atomic rename makes a checkpoint consistent: a
// kill at any moment leaves either the previous checkpoint or the new one.
const checkpointFile = "checkpoint.safetensors"

// Tensor name prefixes inside the checkpoint file.
const (
	netPrefix  = "net."
	adamPrefix = "adam."
	stateKey   = "deep4deep.state"
)

// cnnState is the training loop's state between batches.
type cnnState struct {
	Recipe cnnRecipe `json:"recipe"`
	Epoch  int       `json:"epoch"` // epochs completed
	// Step is the number of samples of epoch Epoch+1 already trained on
	// (non-zero only for a checkpoint written on interruption).
	Step         int     `json:"step"`
	SumLoss      float64 `json:"sum_loss"`      // Σ batch loss × batch size over the epoch so far
	Correct      int64   `json:"correct"`       // samples classified right so far
	TrainSeconds float64 `json:"train_seconds"` // training time of the epoch so far
	EpochSeconds float64 `json:"epoch_seconds"` // wall time of the epoch so far
	RNG          []byte  `json:"rng"`           // the engine's RNG state (dropout)
	BestEpoch    int     `json:"best_epoch"`    // 0: none yet
	BestEER      float64 `json:"best_eer"`
	Log          []Epoch `json:"log"`
}

type checkpoint struct {
	State   cnnState
	tensors map[string]safetensors.Tensor
	path    string
}

// writeCheckpoint writes the state, network and optimiser atomically.
func writeCheckpoint(dir string, st *cnnState, net *nn.Net, opt *nn.Adam) error {
	st.RNG = net.RNGState()
	raw, err := json.Marshal(st)
	if err != nil {
		return err
	}
	tensors := map[string]safetensors.Tensor{}
	for k, v := range net.Tensors() {
		tensors[netPrefix+k] = v
	}
	for k, v := range opt.Tensors() {
		tensors[adamPrefix+k] = v
	}
	return safetensors.WriteFile(filepath.Join(dir, checkpointFile), tensors, map[string]string{stateKey: string(raw)})
}

// readCheckpoint reads the checkpoint in dir.
func readCheckpoint(dir string) (*checkpoint, error) {
	path := filepath.Join(dir, checkpointFile)
	tensors, meta, err := safetensors.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: no checkpoint to resume from", path)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	ck := &checkpoint{tensors: tensors, path: path}
	raw, ok := meta[stateKey]
	if !ok {
		return nil, fmt.Errorf("%s: no training state (not a deep4deep CNN checkpoint)", path)
	}
	if err := json.Unmarshal([]byte(raw), &ck.State); err != nil {
		return nil, fmt.Errorf("%s: training state: %w", path, err)
	}
	st := &ck.State
	if st.Epoch < 0 || st.Step < 0 || st.BestEpoch < 0 || st.BestEpoch > st.Epoch || len(st.Log) != st.Epoch {
		return nil, fmt.Errorf("%s: inconsistent training state (epoch %d, step %d, best %d, %d log rows)", path, st.Epoch, st.Step, st.BestEpoch, len(st.Log))
	}
	return ck, nil
}

// restore loads the checkpoint's network, optimiser and RNG state.
func (ck *checkpoint) restore(net *nn.Net, opt *nn.Adam) error {
	netT := map[string]safetensors.Tensor{}
	adamT := map[string]safetensors.Tensor{}
	for k, v := range ck.tensors {
		switch {
		case strings.HasPrefix(k, netPrefix):
			netT[strings.TrimPrefix(k, netPrefix)] = v
		case strings.HasPrefix(k, adamPrefix):
			adamT[strings.TrimPrefix(k, adamPrefix)] = v
		}
	}
	if err := net.SetTensors(netT); err != nil {
		return fmt.Errorf("%s: network: %w", ck.path, err)
	}
	if err := opt.SetTensors(adamT); err != nil {
		return fmt.Errorf("%s: optimiser: %w", ck.path, err)
	}
	if err := net.SetRNGState(ck.State.RNG); err != nil {
		return fmt.Errorf("%s: RNG state: %w", ck.path, err)
	}
	return nil
}

// sameAs explains the first difference between the recipe of a checkpoint
// and the one requested.
func (r cnnRecipe) sameAs(want cnnRecipe) error {
	if r.Corpus != want.Corpus {
		return errors.New("the corpus differs from the one the run started on (protocol or audio file sizes changed)")
	}
	a, b := reflect.ValueOf(r), reflect.ValueOf(want)
	for i := 0; i < a.NumField(); i++ {
		if !reflect.DeepEqual(a.Field(i).Interface(), b.Field(i).Interface()) {
			name := a.Type().Field(i).Tag.Get("json")
			ja, _ := json.Marshal(a.Field(i).Interface())
			jb, _ := json.Marshal(b.Field(i).Interface())
			return fmt.Errorf("the run used %s %s, not %s", name, ja, jb)
		}
	}
	return nil
}
