// Package demo runs deep4deep end to end and writes a report a newcomer can
// read: it synthesises a replay corpus (DESIGN §6), trains the seed's CNN on
// log-mel filterbanks and the official CQCC-GMM baseline on it, scores the
// dev and eval sets, evaluates both systems (ROCCH and step EER, accuracy,
// F1, per-condition EERs) and writes summary.json, report.md, DET curves,
// training curves and a genuine/spoof spectrogram pair into one folder,
// beside the corpus, the models and the score files so that every number can
// be recomputed with `deep4deep eval`.
//
// The published ASVspoof 2017 numbers (DESIGN §5) are printed beside ours as
// context; they were measured on the real corpus and are not comparable
// one-to-one.
package demo
