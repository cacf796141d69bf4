package corpus

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/deep4deep/deep4deep/internal/atomicfile"
)

// NoCondition is the value of the three replay-condition columns of a
// genuine trial.
const NoCondition = "-"

// maxLine bounds a protocol line; real lines are about 40 bytes.
const maxLine = 64 << 10

// ParseProtocol reads protocol rows from r. name is used in error messages,
// which have the form "name:line: what is wrong".
//
// Each non-blank line must have at least 7 space- or tab-separated columns
// (extra columns are ignored, as other corpora append some). The label must
// be "genuine" or "spoof". A genuine row must have "-" in the three condition
// columns and a spoof row must not; speaker, phrase and condition IDs outside
// the ASVspoof 2017 lists are accepted. The file column must be a plain file
// name (no directory part) and unique within the protocol.
func ParseProtocol(r io.Reader, name string) ([]Trial, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLine)
	var trials []Trial
	seen := make(map[string]int)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if strings.TrimSpace(text) == "" {
			continue
		}
		t, err := parseLine(text)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		if prev, ok := seen[t.File]; ok {
			return nil, fmt.Errorf("%s:%d: file %q already listed on line %d", name, line, t.File, prev)
		}
		seen[t.File] = line
		trials = append(trials, t)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%s:%d: line longer than %d bytes", name, line+1, maxLine)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return trials, nil
}

func parseLine(text string) (Trial, error) {
	f := strings.Fields(text)
	if len(f) < 7 {
		return Trial{}, fmt.Errorf("%d columns, want 7 (file label speaker phrase environment playback recorder)", len(f))
	}
	t := Trial{File: f[0], Speaker: f[2], Phrase: f[3], Environment: f[4], Playback: f[5], Recorder: f[6]}
	if err := checkFileName(t.File); err != nil {
		return Trial{}, err
	}
	switch f[1] {
	case "genuine":
		t.Label = Genuine
	case "spoof":
		t.Label = Spoof
	default:
		return Trial{}, fmt.Errorf("unknown label %q (want genuine or spoof)", f[1])
	}
	for i, v := range []string{t.Speaker, t.Phrase} {
		if v == NoCondition {
			return Trial{}, fmt.Errorf("%s column is %q", [...]string{"speaker", "phrase"}[i], v)
		}
	}
	conds := [...]string{t.Environment, t.Playback, t.Recorder}
	names := [...]string{"environment", "playback", "recorder"}
	for i, v := range conds {
		if t.Label == Genuine && v != NoCondition {
			return Trial{}, fmt.Errorf("genuine trial has %s %q, want %q", names[i], v, NoCondition)
		}
		if t.Label == Spoof && v == NoCondition {
			return Trial{}, fmt.Errorf("spoof trial has no %s (%q)", names[i], v)
		}
	}
	return t, nil
}

// checkFileName rejects file columns that would reach outside the set's
// audio folder.
func checkFileName(s string) error {
	if s == "." || s == ".." || strings.ContainsAny(s, `/\`) || strings.IndexByte(s, 0) >= 0 {
		return fmt.Errorf("file %q is not a plain file name", s)
	}
	return nil
}

// ReadProtocol reads and validates the protocol file at path (see
// ParseProtocol).
func ReadProtocol(path string) ([]Trial, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseProtocol(f, path)
}

// FormatProtocol writes trials as protocol lines (7 columns, one space
// between them, "\n" after each).
func FormatProtocol(w io.Writer, trials []Trial) error {
	bw := bufio.NewWriter(w)
	for i, t := range trials {
		if _, err := parseLine(t.line()); err != nil {
			return fmt.Errorf("trial %d (%s): %w", i, t.File, err)
		}
		bw.WriteString(t.line())
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

func (t Trial) line() string {
	return strings.Join([]string{t.File, t.Label.String(), t.Speaker, t.Phrase,
		t.Environment, t.Playback, t.Recorder}, " ")
}

// WriteProtocol writes trials to path atomically (see FormatProtocol). Every
// trial must satisfy the rules of ParseProtocol, so that what is written
// reads back.
func WriteProtocol(path string, trials []Trial) error {
	var buf bytes.Buffer
	if err := FormatProtocol(&buf, trials); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, buf.Bytes(), 0o644)
}

// Trials reads and validates set s's protocol and checks that every listed
// audio file exists as a regular file. A missing file is an error naming it;
// nothing is skipped.
func (c Corpus) Trials(s Set) ([]Trial, error) {
	return c.ShardTrials(s, Shard{})
}

// ShardTrials is Trials for one shard of set s: the protocol is read and
// validated whole, but only the shard's audio files are checked, so N
// shards of a large set cost one pass over the files in all, not N.
func (c Corpus) ShardTrials(s Set, shard Shard) ([]Trial, error) {
	c, err := c.Resolve()
	if err != nil {
		return nil, err
	}
	trials, err := c.ReadTrials(s)
	if err != nil {
		return nil, err
	}
	trials = shard.Select(trials)
	dir := c.AudioDir(s)
	if fi, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("%s set: %w", s, err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("%s set: %s is not a directory", s, dir)
	}
	var first error
	missing := 0
	for _, t := range trials {
		p := c.AudioPath(s, t)
		fi, err := os.Stat(p)
		switch {
		case errors.Is(err, os.ErrNotExist):
			missing++
			if first == nil {
				first = fmt.Errorf("%s: audio file listed in %s is missing", p, c.ProtocolPath(s))
			}
		case err != nil:
			return nil, err
		case !fi.Mode().IsRegular():
			return nil, fmt.Errorf("%s: listed audio file is not a regular file", p)
		}
	}
	if missing > 1 {
		return nil, fmt.Errorf("%w (%d of %d listed files missing)", first, missing, len(trials))
	}
	if first != nil {
		return nil, first
	}
	return trials, nil
}
