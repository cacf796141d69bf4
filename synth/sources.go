package synth

import (
	"fmt"
	"hash/fnv"
	"io/fs"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/deep4deep/deep4deep/audio"
)

// Sources is a folder of real speech recordings used as clean sources
// instead of the formant synthesiser (--sources). Every (speaker, phrase)
// pair maps to one recording, chosen by hashing seed, speaker and phrase,
// so genuine and replayed trials of a pair share their words and differ
// only by channel. Recordings are loaded once (resampled to 16 kHz) and
// shared; Sources is safe for concurrent use.
type Sources struct {
	dir   string
	files []string
	mu    sync.Mutex
	cache map[string]*loaded
}

type loaded struct {
	once sync.Once
	x    []float32
	err  error
}

// OpenSources lists the .wav and .flac files under dir (recursively).
func OpenSources(dir string) (*Sources, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		ext := strings.ToLower(filepath.Ext(p))
		if !d.IsDir() && (ext == ".wav" || ext == ".flac") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no .wav or .flac files", dir)
	}
	sort.Strings(files)
	return &Sources{dir: dir, files: files, cache: map[string]*loaded{}}, nil
}

// pick returns the recording for speaker and phrase, peak-normalised.
func (s *Sources) pick(seed uint64, speaker, phrase string) ([]float32, error) {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d/%s/%s", seed, speaker, phrase)
	path := s.files[h.Sum64()%uint64(len(s.files))]
	s.mu.Lock()
	l := s.cache[path]
	if l == nil {
		l = &loaded{}
		s.cache[path] = l
	}
	s.mu.Unlock()
	l.once.Do(func() {
		x, err := audio.Load(path, Rate)
		if err != nil {
			l.err = fmt.Errorf("source recording: %w", err)
			return
		}
		var peak float64
		for _, v := range x {
			peak = math.Max(peak, math.Abs(float64(v)))
		}
		if peak == 0 {
			l.err = fmt.Errorf("source recording %s: silent", path)
			return
		}
		for i := range x {
			x[i] = float32(float64(x[i]) / peak)
		}
		l.x = x
	})
	return l.x, l.err
}
