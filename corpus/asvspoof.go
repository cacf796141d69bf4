package corpus

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/deep4deep/deep4deep/internal/atomicfile"
)

// MetadataFile2021 is the name of the ASVspoof 2021 key files
// (keys/{LA,PA,DF}/CM/trial_metadata.txt in the released key packages).
const MetadataFile2021 = "trial_metadata.txt"

// protocolName2019 is the CM protocol file of set s of an ASVspoof 2019
// track, e.g. "ASVspoof2019.PA.cm.train.trn.txt".
func protocolName2019(track string, s Set) string {
	ext := ".trl.txt"
	if s == Train {
		ext = ".trn.txt"
	}
	return "ASVspoof2019." + track + ".cm." + s.String() + ext
}

// SetDir2019 is the audio folder of set s of an ASVspoof 2019 track under
// the corpus root, e.g. "ASVspoof2019_PA_train" (the files are in its
// flac/ subfolder).
func SetDir2019(track string, s Set) string { return "ASVspoof2019_" + track + "_" + s.String() }

// ProtocolFile2019 is the path of set s's CM protocol relative to the root
// of an ASVspoof 2019 track, as released:
// "ASVspoof2019_PA_cm_protocols/ASVspoof2019.PA.cm.train.trn.txt".
func ProtocolFile2019(track string, s Set) string {
	return "ASVspoof2019_" + track + "_cm_protocols/" + protocolName2019(track, s)
}

// The ASVspoof 2019 PA condition names: the environment triplet (room size
// S, reverberation T60, talker-to-ASV distance Ds, each a/b/c) and the
// attack pair (attacker-to-talker distance Da, replay device quality Q,
// each A/B/C), after Wang et al. 2020.
var (
	envFactors2019    = [3]string{"room_size", "t60", "talker_distance"}
	attackFactors2019 = [2]string{"attacker_distance", "device_quality"}
)

// scanLines calls fn for every non-blank line of r with its 1-based number
// and fields; errors are wrapped as "name:line: what".
func scanLines(r io.Reader, name string, fn func(f []string) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLine)
	line := 0
	for sc.Scan() {
		line++
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if err := fn(f); err != nil {
			return fmt.Errorf("%s:%d: %w", name, line, err)
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("%s:%d: line longer than %d bytes", name, line+1, maxLine)
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// dupChecker rejects a trial ID listed twice.
type dupChecker map[string]int

func (d dupChecker) check(id string, n int) error {
	if prev, ok := d[id]; ok {
		return fmt.Errorf("trial %q already listed as row %d", id, prev)
	}
	d[id] = n
	return nil
}

// Parse2019 reads an ASVspoof 2019 CM protocol (LA or PA):
// "SPEAKER FILE_ID ENV ATTACK KEY", KEY bonafide or spoof. ENV is "-" (LA)
// or the PA environment triplet (three of a/b/c); ATTACK is "-" for bona
// fide, A01–A19 (LA) or the PA pair (two of A/B/C). Trial.File is
// FILE_ID.flac; the conditions are attack (LA and PA) and, for PA,
// environment plus its five single factors.
func Parse2019(r io.Reader, name string) ([]Trial, error) {
	var trials []Trial
	seen := dupChecker{}
	err := scanLines(r, name, func(f []string) error {
		if len(f) != 5 {
			return fmt.Errorf("%d columns, want 5 (speaker file_id environment attack key)", len(f))
		}
		label, err := ParseLabel(f[4])
		if err != nil {
			return err
		}
		if err := checkID(f[1]); err != nil {
			return err
		}
		env, attack := f[2], f[3]
		if label == Genuine && attack != NoCondition {
			return fmt.Errorf("bona fide trial has attack %q, want %q", attack, NoCondition)
		}
		if label == Spoof && attack == NoCondition {
			return fmt.Errorf("spoof trial has no attack (%q)", attack)
		}
		var keys []Key
		if env != NoCondition {
			if !isCode(env, 3, 'a') {
				return fmt.Errorf("environment %q, want three of a/b/c (room size, T60, talker distance) or %q", env, NoCondition)
			}
			keys = append(keys, Key{"environment", env})
			for i, k := range envFactors2019 {
				keys = append(keys, Key{k, env[i : i+1]})
			}
		}
		if attack != NoCondition {
			keys = append(keys, Key{"attack", attack})
			if env != NoCondition { // PA: the attack is the Da/Q pair
				if !isCode(attack, 2, 'A') {
					return fmt.Errorf("PA attack %q, want two of A/B/C (attacker distance, device quality)", attack)
				}
				for i, k := range attackFactors2019 {
					keys = append(keys, Key{k, attack[i : i+1]})
				}
			}
		}
		if err := seen.check(f[1], len(trials)+1); err != nil {
			return err
		}
		trials = append(trials, Trial{File: f[1] + ".flac", Label: label, Speaker: f[0], Conditions: joinKeys(keys...)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return trials, nil
}

// isCode reports whether s has n letters, each within the three letters
// from first.
func isCode(s string, n int, first byte) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < n; i++ {
		if s[i] < first || s[i] > first+2 {
			return false
		}
	}
	return true
}

// keyColumn2021 maps the column count of an ASVspoof 2021 trial_metadata
// line to its track and the index of its key column.
var keyColumn2021 = map[int]struct {
	track string
	key   int
	names []string // condition names of columns 2, 3, …; "" skips one
}{
	// LA_0009 LA_E_9332881 alaw ita_tx A07 spoof notrim eval
	8: {"LA", 5, []string{"codec", "transmission", "attack", "", "trim", "subset"}},
	// PA_0010 PA_E_1000001 R3 M3 d4 r1 m1 s4 c4 spoof notrim eval
	12: {"PA", 9, []string{"asv_room", "asv_mic", "asv_distance", "attacker_room", "attacker_mic", "replay_device", "attacker_distance", "", "trim", "subset"}},
	// LA_0023 DF_E_2000011 nocodec asvspoof A14 spoof notrim progress traditional_vocoder - - - -
	13: {"DF", 5, []string{"codec", "source", "attack", "", "trim", "subset", "vocoder"}},
}

// Parse2021 reads an ASVspoof 2021 key file (trial_metadata.txt of the LA,
// PA or DF key package), told apart by the column count (8, 12, 13). The key
// is bonafide or spoof; every other column becomes a condition (codec,
// transmission, attack, the PA room/microphone/distance/device codes, DF
// source and vocoder, trim and subset), "-" values left out. Trial.File is
// FILE_ID.flac.
func Parse2021(r io.Reader, name string) ([]Trial, error) {
	var trials []Trial
	seen := dupChecker{}
	err := scanLines(r, name, func(f []string) error {
		layout, ok := keyColumn2021[len(f)]
		if !ok {
			return fmt.Errorf("%d columns, want 8 (LA), 12 (PA) or 13 (DF) as in trial_metadata.txt", len(f))
		}
		label, err := ParseLabel(f[layout.key])
		if err != nil {
			return fmt.Errorf("column %d: %w", layout.key+1, err)
		}
		if err := checkID(f[1]); err != nil {
			return err
		}
		var keys []Key
		for i, n := range layout.names {
			v := f[2+i]
			if n == "" || v == NoCondition || (n == "attack" || n == "vocoder") && v == "bonafide" {
				continue
			}
			if strings.ContainsRune(v, '=') {
				return fmt.Errorf("%s %q contains '='", n, v)
			}
			keys = append(keys, Key{n, v})
		}
		if err := seen.check(f[1], len(trials)+1); err != nil {
			return err
		}
		trials = append(trials, Trial{File: f[1] + ".flac", Label: label, Speaker: f[0], Conditions: joinKeys(keys...)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return trials, nil
}

// ParseList reads a list: "PATH LABEL [key=value ...]" per line. PATH is a
// WAV or FLAC file relative to the audio root, with "/" separators, no ".."
// element and no white space; LABEL is genuine, bonafide or spoof; the
// key=value pairs become conditions (breakdown keys). The trial ID is PATH
// without its .wav/.flac extension and must be unique.
func ParseList(r io.Reader, name string) ([]Trial, error) {
	var trials []Trial
	seen := dupChecker{}
	err := scanLines(r, name, func(f []string) error {
		if len(f) < 2 {
			return fmt.Errorf("%d column, want PATH LABEL [key=value ...]", len(f))
		}
		p := f[0]
		if strings.HasPrefix(p, "/") || strings.ContainsRune(p, '\\') || strings.IndexByte(p, 0) >= 0 || path.Clean(p) != p || p == "." || p == ".." || strings.HasPrefix(p, "../") {
			return fmt.Errorf("path %q is not a clean relative path inside the audio root", p)
		}
		label, err := ParseLabel(f[1])
		if err != nil {
			return err
		}
		var keys []Key
		for _, kv := range f[2:] {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" || v == "" {
				return fmt.Errorf("condition %q, want key=value", kv)
			}
			keys = append(keys, Key{k, v})
		}
		t := Trial{File: p, Label: label, Conditions: joinKeys(keys...)}
		if err := seen.check(t.ID(), len(trials)+1); err != nil {
			return err
		}
		trials = append(trials, t)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return trials, nil
}

// checkID rejects file IDs that would reach outside the audio folder.
func checkID(s string) error {
	if err := checkFileName(s); err != nil {
		return fmt.Errorf("file ID %q is not a plain file name", s)
	}
	return nil
}

// Condition returns the value of t's condition column name, or "" when t
// has none.
func (t Trial) Condition(name string) string {
	rest := t.Conditions
	for rest != "" {
		var kv string
		kv, rest, _ = strings.Cut(rest, " ")
		if k, v, _ := strings.Cut(kv, "="); k == name {
			return v
		}
	}
	return ""
}

// ConditionsPA2019 is the Trial.Conditions of an ASVspoof 2019 PA row with
// environment env (three of a/b/c) and attack (two of A/B/C, or "-" for bona
// fide), as Parse2019 makes it.
func ConditionsPA2019(env, attack string) string {
	keys := []Key{{"environment", env}}
	for i, k := range envFactors2019 {
		keys = append(keys, Key{k, env[i : i+1]})
	}
	if attack != NoCondition {
		keys = append(keys, Key{"attack", attack})
		for i, k := range attackFactors2019 {
			keys = append(keys, Key{k, attack[i : i+1]})
		}
	}
	return joinKeys(keys...)
}

// FormatProtocol2019 writes trials as ASVspoof 2019 CM protocol lines
// ("SPEAKER FILE_ID ENV ATTACK KEY"), ENV and ATTACK taken from the
// environment and attack conditions ("-" when absent). Every line must
// read back with Parse2019.
func FormatProtocol2019(w io.Writer, trials []Trial) error {
	bw := bufio.NewWriter(w)
	for i, t := range trials {
		env, attack := t.Condition("environment"), t.Condition("attack")
		if env == "" {
			env = NoCondition
		}
		if attack == "" {
			attack = NoCondition
		}
		key := "bonafide"
		if t.Label == Spoof {
			key = "spoof"
		}
		line := strings.Join([]string{t.Speaker, t.ID(), env, attack, key}, " ")
		back, err := Parse2019(strings.NewReader(line), "row")
		if err != nil || len(back) != 1 || back[0].ID() != t.ID() {
			return fmt.Errorf("trial %d (%s): not a valid 2019 row %q: %v", i, t.File, line, err)
		}
		bw.WriteString(line)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// WriteProtocol2019 writes trials to path atomically as an ASVspoof 2019
// CM protocol (see FormatProtocol2019).
func WriteProtocol2019(path string, trials []Trial) error {
	var buf bytes.Buffer
	if err := FormatProtocol2019(&buf, trials); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, buf.Bytes(), 0o644)
}
