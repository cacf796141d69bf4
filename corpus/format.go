package corpus

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Format is a corpus layout with its protocol format. Every command that
// reads a corpus goes through Corpus, whose methods dispatch on the format,
// so a new format needs no change in the commands.
type Format string

// The supported formats. FormatAuto (the zero value) detects the format from
// the layout of the corpus root (see Detect).
const (
	FormatAuto   Format = ""
	ASVspoof2017 Format = "asvspoof2017" // protocol_V2/ + ASVspoof2017_V2_{train,dev,eval}/*.wav
	ASVspoof2019 Format = "asvspoof2019" // ASVspoof2019_{LA,PA}_cm_protocols/ + ASVspoof2019_{LA,PA}_{train,dev,eval}/flac/
	ASVspoof2021 Format = "asvspoof2021" // keys/{LA,PA,DF}/CM/trial_metadata.txt + ASVspoof2021_{LA,PA,DF}_eval/flac/
	List         Format = "list"         // {train,dev,eval}.list of "PATH LABEL [key=value ...]"
)

// Formats lists the explicit formats, in the order Detect tries them.
var Formats = [...]Format{ASVspoof2017, ASVspoof2019, ASVspoof2021, List}

// ParseFormat parses a format name; "" and "auto" give FormatAuto.
func ParseFormat(s string) (Format, error) {
	if s == "" || s == "auto" {
		return FormatAuto, nil
	}
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown corpus format %q (want asvspoof2017, asvspoof2019, asvspoof2021 or list)", s)
}

// ListFile is the name of set s's list in a list-format corpus root, e.g.
// "train.list".
func ListFile(s Set) string { return s.String() + ".list" }

// Corpus is a corpus directory in one of the supported formats. The zero
// Format detects the format from the layout on every call; Resolve does it
// once and reports a root that matches no format.
//
// Protocol and AudioRoot serve a single list or protocol given on the
// command line: Protocol, when set, is the protocol file of every set, and
// AudioRoot is the folder the list format's PATH column is relative to
// (default: Root, or the list file's folder when Root is empty).
type Corpus struct {
	Root      string
	Format    Format
	Protocol  string
	AudioRoot string

	// track is the ASVspoof 2019 (LA, PA) or 2021 (LA, PA, DF) track and
	// protoDir the folder of its protocol files; Resolve fills them.
	track, protoDir string
}

// Resolve returns c with its format, and for ASVspoof 2019/2021 its track
// and protocol folder, determined from the layout. It fails when Format is
// FormatAuto and the root matches no format, or when the root does not have
// the layout of the given format.
func (c Corpus) Resolve() (Corpus, error) {
	if c.Format == FormatAuto && c.Protocol != "" {
		f, err := DetectProtocol(c.Protocol)
		if err != nil {
			return c, err
		}
		c.Format = f
	}
	if c.Format == FormatAuto {
		f, err := Detect(c.Root)
		if err != nil {
			return c, err
		}
		c.Format = f
	}
	switch c.Format {
	case ASVspoof2017, List:
		return c, nil
	case ASVspoof2019, ASVspoof2021:
		if c.track != "" {
			return c, nil
		}
		track, dir, err := findTrack(c.Root, c.Format)
		if err != nil && c.Protocol == "" {
			return c, err
		}
		c.track, c.protoDir = track, dir
		if c.track == "" {
			c.track = trackOfProtocol(c.Protocol)
		}
		return c, nil
	}
	return c, fmt.Errorf("unknown corpus format %q", c.Format)
}

// resolved is Resolve for the methods that cannot return an error: on
// failure it falls back to the ASVspoof 2017 layout, whose paths then name
// the missing files in the error that follows.
func (c Corpus) resolved() Corpus {
	if r, err := c.Resolve(); err == nil {
		return r
	}
	if c.Format == FormatAuto {
		c.Format = ASVspoof2017
	}
	return c
}

// Detect returns the format of the corpus at root from its layout:
// protocol_V2/ (2017), ASVspoof2019_*_cm_protocols/ or ASVspoof2019.*.cm.*
// protocol files (2019), keys/*/CM/trial_metadata.txt or
// ASVspoof2021_*_eval/ (2021), or *.list files (list).
func Detect(root string) (Format, error) {
	if isDir(filepath.Join(root, ProtocolDir)) {
		return ASVspoof2017, nil
	}
	if t, _, err := findTrack(root, ASVspoof2019); err == nil && t != "" {
		return ASVspoof2019, nil
	}
	if t, _, err := findTrack(root, ASVspoof2021); err == nil && t != "" {
		return ASVspoof2021, nil
	}
	for _, s := range Sets {
		if isFile(filepath.Join(root, ListFile(s))) {
			return List, nil
		}
	}
	if !isDir(root) {
		return "", fmt.Errorf("corpus root %s: not a directory", root)
	}
	return "", fmt.Errorf("corpus root %s: no known layout (want protocol_V2/ for ASVspoof 2017, ASVspoof2019_*_cm_protocols/ for 2019, keys/*/CM/trial_metadata.txt for 2021, or train.list/dev.list/eval.list)", root)
}

// DetectProtocol returns the format of a protocol file from its first
// non-blank line (see DetectLine).
func DetectProtocol(path string) (Format, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	for i, line := range strings.Split(string(buf[:n]), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		format, err := DetectLine(line)
		if err != nil {
			return "", fmt.Errorf("%s:%d: %w", path, i+1, err)
		}
		return format, nil
	}
	return "", fmt.Errorf("%s: empty protocol", path)
}

// DetectLine names the format of one protocol line: 7 columns with
// genuine/spoof second (2017); 5 columns with bonafide/spoof last (2019);
// 8, 12 or 13 columns with the key in the place of 2021 LA, PA or DF; a
// label second and key=value pairs after it (list).
func DetectLine(line string) (Format, error) {
	f := strings.Fields(line)
	isLabel := func(s string) bool { _, err := ParseLabel(s); return err == nil }
	switch {
	case len(f) >= 2 && isLabel(f[1]) && allPairs(f[2:]):
		return List, nil
	case len(f) == 7 && (f[1] == "genuine" || f[1] == "spoof"):
		return ASVspoof2017, nil
	case len(f) == 5 && isLabel(f[4]):
		return ASVspoof2019, nil
	case len(f) >= 8:
		if _, ok := keyColumn2021[len(f)]; ok {
			return ASVspoof2021, nil
		}
	}
	return "", fmt.Errorf("%d columns, not an ASVspoof 2017/2019/2021 protocol or a list line (PATH LABEL [key=value ...])", len(f))
}

func allPairs(f []string) bool {
	for _, s := range f {
		if k, _, ok := strings.Cut(s, "="); !ok || k == "" {
			return false
		}
	}
	return true
}

// ParseLabel unifies the class names of the formats: "genuine", "bonafide",
// "bona-fide" and "bona_fide" are Genuine, "spoof" is Spoof.
func ParseLabel(s string) (Label, error) {
	switch s {
	case "genuine", "bonafide", "bona-fide", "bona_fide":
		return Genuine, nil
	case "spoof":
		return Spoof, nil
	}
	return 0, fmt.Errorf("unknown label %q (want genuine, bonafide or spoof)", s)
}

// ProtocolPath is the path of set s's protocol file.
func (c Corpus) ProtocolPath(s Set) string {
	if c.Protocol != "" {
		return c.Protocol
	}
	c = c.resolved()
	switch c.Format {
	case ASVspoof2019:
		return filepath.Join(c.protoDir, protocolName2019(c.track, s))
	case ASVspoof2021:
		return filepath.Join(c.protoDir, MetadataFile2021)
	case List:
		return filepath.Join(c.Root, ListFile(s))
	}
	return filepath.Join(c.Root, filepath.FromSlash(ProtocolFile(s)))
}

// AudioDir is the folder of set s's audio files.
func (c Corpus) AudioDir(s Set) string {
	c = c.resolved()
	switch c.Format {
	case ASVspoof2019:
		return filepath.Join(c.Root, SetDir2019(c.track, s), "flac")
	case ASVspoof2021:
		return filepath.Join(c.Root, "ASVspoof2021_"+c.track+"_eval", "flac")
	case List:
		switch {
		case c.AudioRoot != "":
			return c.AudioRoot
		case c.Root != "":
			return c.Root
		case c.Protocol != "":
			return filepath.Dir(c.Protocol)
		}
		return "."
	}
	return filepath.Join(c.Root, SetDir(s))
}

// AudioPath is the path of trial t's audio file in set s.
func (c Corpus) AudioPath(s Set, t Trial) string {
	return filepath.Join(c.AudioDir(s), filepath.FromSlash(t.File))
}

// ReadTrials reads and validates set s's protocol without looking at the
// audio files.
func (c Corpus) ReadTrials(s Set) ([]Trial, error) {
	c, err := c.Resolve()
	if err != nil {
		return nil, err
	}
	if c.Format == ASVspoof2021 && s != Eval && c.Protocol == "" {
		return nil, fmt.Errorf("%s set: ASVspoof 2021 has only an eval set", s)
	}
	return ReadProtocolFormat(c.ProtocolPath(s), c.Format)
}

// ReadProtocolFormat reads the protocol file at path in the given format
// (FormatAuto: detected from its first line).
func ReadProtocolFormat(path string, format Format) ([]Trial, error) {
	if format == FormatAuto {
		f, err := DetectProtocol(path)
		if err != nil {
			return nil, err
		}
		format = f
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	switch format {
	case ASVspoof2017:
		return ParseProtocol(f, path)
	case ASVspoof2019:
		return Parse2019(f, path)
	case ASVspoof2021:
		return Parse2021(f, path)
	case List:
		return ParseList(f, path)
	}
	return nil, fmt.Errorf("%s: unknown corpus format %q", path, format)
}

// ConditionKeys parses t.Conditions into its name/value pairs, in column
// order.
func (t Trial) ConditionKeys() []Key {
	if t.Conditions == "" {
		return nil
	}
	f := strings.Fields(t.Conditions)
	keys := make([]Key, 0, len(f))
	for _, kv := range f {
		k, v, _ := strings.Cut(kv, "=")
		keys = append(keys, Key{Name: k, Value: v})
	}
	return keys
}

// Key is one condition column of a trial: a breakdown key of eval.
type Key struct{ Name, Value string }

// joinKeys is the Trial.Conditions form of keys.
func joinKeys(keys ...Key) string {
	var b strings.Builder
	for _, k := range keys {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k.Name)
		b.WriteByte('=')
		b.WriteString(k.Value)
	}
	return b.String()
}

// findTrack finds the ASVspoof 2019 or 2021 track (LA, PA, DF) of root and
// the folder of its protocol files. Several tracks under one root are
// ambiguous.
func findTrack(root string, f Format) (track, protoDir string, err error) {
	type hit struct{ track, dir string }
	var hits []hit
	switch f {
	case ASVspoof2019:
		for _, t := range []string{"LA", "PA"} {
			for _, dir := range []string{filepath.Join(root, "ASVspoof2019_"+t+"_cm_protocols"), root} {
				if isFile(filepath.Join(dir, protocolName2019(t, Train))) || isFile(filepath.Join(dir, protocolName2019(t, Dev))) || isFile(filepath.Join(dir, protocolName2019(t, Eval))) {
					hits = append(hits, hit{t, dir})
					break
				}
			}
		}
	case ASVspoof2021:
		for _, t := range []string{"LA", "PA", "DF"} {
			for _, dir := range []string{filepath.Join(root, "keys", t, "CM"), filepath.Join(root, t, "CM")} {
				if isFile(filepath.Join(dir, MetadataFile2021)) {
					hits = append(hits, hit{t, dir})
					break
				}
			}
		}
		if len(hits) == 0 && isFile(filepath.Join(root, MetadataFile2021)) {
			for _, t := range []string{"LA", "PA", "DF"} {
				if isDir(filepath.Join(root, "ASVspoof2021_"+t+"_eval")) {
					hits = append(hits, hit{t, root})
				}
			}
		}
	}
	switch len(hits) {
	case 0:
		return "", "", fmt.Errorf("corpus root %s: no %s protocol files found", root, f)
	case 1:
		return hits[0].track, hits[0].dir, nil
	}
	var names []string
	for _, h := range hits {
		names = append(names, h.track)
	}
	slices.Sort(names)
	return "", "", fmt.Errorf("corpus root %s: protocols of several %s tracks (%s); give the track's own folder", root, f, strings.Join(names, ", "))
}

// trackOfProtocol guesses the track from a protocol file name
// ("ASVspoof2019.PA.cm.dev.trl.txt" → PA); "" when it has none.
func trackOfProtocol(path string) string {
	base := filepath.Base(path)
	for _, t := range []string{"LA", "PA", "DF"} {
		if strings.Contains(base, "."+t+".") || strings.Contains(base, "_"+t+"_") {
			return t
		}
	}
	return ""
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}
