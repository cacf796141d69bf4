package eval

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"unicode"

	"github.com/deep4deep/deep4deep/internal/atomicfile"
)

// maxScoreLine bounds a score-file line; real lines are about 25 bytes.
const maxScoreLine = 64 << 10

// NormalizeID returns a trial ID as used in score maps: the protocol's file
// column without a ".wav" suffix (DESIGN §5 accepts both forms).
func NormalizeID(id string) string { return strings.TrimSuffix(id, ".wav") }

// ParseScores reads a score file from r: one trial per line,
// "<file ID> <score>", separated by spaces or tabs; higher scores mean
// genuine. The 4-column CM score format of ASVspoof 2019,
// "<file ID> <source> <key> <score>" (source: "-" or the attack; key:
// bonafide or spoof), is read as well; its middle columns are ignored, the
// protocol being the reference for the labels. IDs are normalised with NormalizeID, so "E_1000001" and
// "E_1000001.wav" are the same trial. Blank lines are skipped. name is used
// in error messages, which have the form "name:line: what is wrong"; a line
// without exactly two columns, a score that is not a finite number
// (NaN, ±Inf or out of float64 range) and an ID listed twice are errors.
func ParseScores(r io.Reader, name string) (map[string]float64, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxScoreLine)
	scores := make(map[string]float64)
	seen := make(map[string]int) // ID → line, for duplicate messages
	line := 0
	for sc.Scan() {
		line++
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if len(f) != 2 && len(f) != 4 {
			return nil, fmt.Errorf("%s:%d: %d columns, want 2 (file ID, score) or 4 (ASVspoof 2019: file ID, source, key, score)", name, line, len(f))
		}
		id := NormalizeID(f[0])
		if id == "" {
			return nil, fmt.Errorf("%s:%d: empty file ID %q", name, line, f[0])
		}
		v, err := parseScore(f[len(f)-1])
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		if prev, dup := seen[id]; dup {
			return nil, fmt.Errorf("%s:%d: trial %q already scored on line %d", name, line, id, prev)
		}
		seen[id] = line
		scores[id] = v
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%s:%d: line longer than %d bytes", name, line+1, maxScoreLine)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return scores, nil
}

// parseScore parses a finite float64.
func parseScore(s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return 0, fmt.Errorf("score %q is out of float64 range", s)
		}
		return 0, fmt.Errorf("score %q is not a number", s)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("score %q is not finite", s)
	}
	return v, nil
}

// ReadScores reads the score file at path (see ParseScores).
func ReadScores(path string) (map[string]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseScores(f, path)
}

// FormatScores writes one line "<id> <score>" per trial to w. Scores are
// written with the fewest digits that read back to the same float64, so a
// written score file evaluates exactly like the scores in memory. It
// rejects what ParseScores would reject on reading: unequal lengths, an
// empty ID or one containing white space, an ID given twice (after
// NormalizeID) and a score that is NaN or infinite.
func FormatScores(w io.Writer, ids []string, scores []float64) error {
	if len(ids) != len(scores) {
		return fmt.Errorf("%d IDs but %d scores", len(ids), len(scores))
	}
	seen := make(map[string]int, len(ids))
	bw := bufio.NewWriter(w)
	var buf []byte
	for i, id := range ids {
		if NormalizeID(id) == "" || strings.ContainsFunc(id, unicode.IsSpace) {
			return fmt.Errorf("trial %d: bad ID %q (empty or contains white space)", i, id)
		}
		if prev, dup := seen[NormalizeID(id)]; dup {
			return fmt.Errorf("trial %d: ID %q already given as trial %d", i, id, prev)
		}
		seen[NormalizeID(id)] = i
		v := scores[i]
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("trial %d (%s): score %v is not finite", i, id, v)
		}
		buf = append(buf[:0], id...)
		buf = append(buf, ' ')
		buf = strconv.AppendFloat(buf, v, 'g', -1, 64)
		buf = append(buf, '\n')
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// WriteScores writes a score file to path atomically (temporary file and
// rename: a crash never leaves a partial file). See FormatScores for the
// format and the checks.
func WriteScores(path string, ids []string, scores []float64) error {
	return atomicfile.Write(path, 0o644, func(w io.Writer) error { // its errors name path
		return FormatScores(w, ids, scores)
	})
}
