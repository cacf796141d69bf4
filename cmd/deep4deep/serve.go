package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/deep4deep/deep4deep/audio"
	"github.com/deep4deep/deep4deep/calibrate"
	"github.com/deep4deep/deep4deep/defaultmodel"
	"github.com/deep4deep/deep4deep/eval"
	"github.com/deep4deep/deep4deep/internal/cli"
	"github.com/deep4deep/deep4deep/serve"
)

func init() {
	register(&cli.Command{Name: "serve", Summary: "HTTP service and web page: score clips over HTTP", Run: runServe})
}

func runServe(ctx context.Context, env *cli.Env, args []string) error {
	fs := cli.NewFlagSet(env, "serve", "deep4deep serve [--model DIR] [--addr 127.0.0.1:8080] [--token T] [--log-format text|json] [limits]")
	modelDir := fs.String("model", "", "model directory (default: the built-in model)")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	token := fs.String("token", "", "require \"Authorization: Bearer TOKEN\" on every endpoint but the health checks and the page (default: $DEEP4DEEP_TOKEN)")
	logFormat := fs.String("log-format", "text", "log format on stderr: text or json")
	maxBody := fs.Float64("max-body-mb", 20, "largest request body, MB")
	maxAudio := fs.Float64("max-audio-s", 60, "longest clip, seconds")
	minAudio := fs.Float64("min-audio-s", 0.2, "shortest clip scored, seconds (shorter: 422)")
	maxBatch := fs.Int("max-batch-files", 32, "most files in one batch request")
	scorers := fs.Int("scorers", 0, "scorers in the pool = clips scored at once (0: one per core)")
	queue := fs.Duration("queue-timeout", 10*time.Second, "how long a request waits for a free scorer before a 503")
	readTO := fs.Duration("read-timeout", 30*time.Second, "HTTP read timeout")
	writeTO := fs.Duration("write-timeout", 60*time.Second, "HTTP write timeout")
	idleTO := fs.Duration("idle-timeout", 120*time.Second, "HTTP keep-alive idle timeout")
	drain := fs.Duration("shutdown-timeout", 30*time.Second, "on SIGTERM/SIGINT, how long to drain requests in flight")
	calFlag := fs.String("calibration", "", "calibration `file` mapping scores to LLRs (default: the model's calibration.json if any; \"none\": raw scores, threshold 0)")
	pSpoof := fs.Float64("p-spoof", eval.ASVspoof5.PSpoof, "prior probability of a spoof, for the Bayes decision on calibrated scores")
	cMiss := fs.Float64("c-miss", eval.ASVspoof5.CMiss, "cost of rejecting a genuine speaker")
	cFA := fs.Float64("c-fa", eval.ASVspoof5.CFA, "cost of accepting a spoof")
	ffmpeg := fs.String("ffmpeg", "", "ffmpeg executable for Ogg/WebM/M4A/AAC (default: ffmpeg from $PATH)")
	ffmpegTO := fs.Duration("ffmpeg-timeout", 30*time.Second, "longest one ffmpeg decode may run")
	if err := fs.Parse(args, false); err != nil {
		return err
	}
	if *maxBody <= 0 || *maxAudio <= 0 || *minAudio < 0 || *maxBatch < 1 || *scorers < 0 || *queue <= 0 ||
		*readTO <= 0 || *writeTO <= 0 || *idleTO <= 0 || *drain <= 0 || *ffmpegTO <= 0 {
		return cli.Usagef("serve: limits and timeouts must be positive")
	}
	costs := eval.DCFParams{PSpoof: *pSpoof, CMiss: *cMiss, CFA: *cFA}
	if !costs.Valid() {
		return cli.Usagef("serve: --p-spoof must be in (0, 1) and --c-miss, --c-fa positive")
	}
	var handler slog.Handler
	switch *logFormat {
	case "text":
		handler = slog.NewTextHandler(env.Stderr, nil)
	case "json":
		handler = slog.NewJSONHandler(env.Stderr, nil)
	default:
		return cli.Usagef("serve: --log-format %q: want text or json", *logFormat)
	}
	if *token == "" {
		*token = os.Getenv("DEEP4DEEP_TOKEN")
	}
	log := slog.New(handler)
	m, info, err := defaultmodel.Open(*modelDir)
	if err != nil {
		return err
	}
	var cal *calibrate.Map
	if *calFlag != "" && *calFlag != "none" {
		if cal, _, err = modelCalibration(*calFlag, *modelDir); err != nil {
			return err
		}
	}
	srv, err := serve.New(m, info, serve.Options{
		Calibration: cal, NoCalibration: *calFlag == "none", Costs: costs,
		MaxBodyBytes: int64(*maxBody * (1 << 20)), MaxAudioSeconds: *maxAudio, MinAudioSeconds: *minAudio, MaxBatchFiles: *maxBatch,
		ReadTimeout: *readTO, WriteTimeout: *writeTO, IdleTimeout: *idleTO,
		Scorers: *scorers, QueueTimeout: *queue, ShutdownTimeout: *drain, Token: *token,
		FFmpeg: &audio.FFmpeg{Path: *ffmpeg, Timeout: *ffmpegTO}, Logger: log,
	})
	if err != nil {
		return err
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("serving", "url", "http://"+ln.Addr().String()+"/", "model", info.Name, "kind", info.Kind,
		"hash", info.Hash[:12], "calibrated", cal != nil || (info.Calibration != nil && *calFlag != "none"), "auth", *token != "")
	if err := srv.Serve(ctx, ln); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("stopped")
	return nil
}
