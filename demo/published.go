package demo

// Published is one published result on the real ASVspoof 2017 corpus
// (DESIGN §5). The demo prints these beside its own numbers so that a reader
// can place them, but they were measured on real replayed speech, not on the
// synthetic corpus: they are context, not a target to compare one-to-one.
type Published struct {
	Version string  // corpus version: "V1" or "V2"
	System  string  // what was evaluated
	DevEER  float64 // dev EER in percent; NaN when not published
	EvalEER float64 // eval EER in percent
	Note    string  // training data or other qualifier
}

// PublishedResults are the published ASVspoof 2017 EERs of DESIGN §5, in
// percent. NaN marks a number that was not published (or not quoted in the
// design).
func PublishedResults() []Published {
	return []Published{
		{"V1", "CQCC-GMM baseline", nan, 24.77, "trained on train+dev"},
		{"V1", "CQCC-GMM baseline", nan, 30.60, "trained on train only"},
		{"V1", "best primary submission", nan, 6.73, ""},
		{"V1", "mean of 49 primary submissions", nan, 26.01, ""},
		{"V2", "CQCC-GMM baseline", 12.08, 29.35, ""},
		{"V2", "CQCC-GMM baseline with CMVN", 9.06, 12.24, "cepstral mean and variance normalisation"},
		{"V2", "LCNN", 6.47, 16.08, ""},
		{"V2", "attentive-filtering ResNet", 6.55, 8.99, ""},
	}
}
