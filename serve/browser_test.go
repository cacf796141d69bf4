package serve

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/deep4deep/deep4deep/defaultmodel"
)

// browser returns the path of a Chromium or Chrome executable, or "".
func browser() string {
	if p := os.Getenv("DEEP4DEEP_BROWSER"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestBrowser drives headless Chromium against a server with the built-in
// model: it uploads a genuine and a replayed synthetic clip through the
// page's file input, waits for the verdict, checks it and the timeline
// against the API's answer for the same file, and saves a screenshot of
// each page in the test's temp dir. The clips (testdata/, see its README)
// are synthetic takes the built-in model did not train on. Set
// DEEP4DEEP_SCREENSHOTS=DIR to keep the screenshots.
func TestBrowser(t *testing.T) {
	exe := browser()
	if exe == "" {
		t.Skip("no Chromium or Chrome found (apt-get install chromium, or set DEEP4DEEP_BROWSER): browser test skipped")
	}
	m, info, err := defaultmodel.Open("")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(m, info, Options{Scorers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.WindowSize(900, 1400),
		chromedp.Flag("disable-dev-shm-usage", true))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 120*time.Second)
	defer cancel()
	if err := chromedp.Run(ctx); err != nil {
		t.Skipf("%s does not start (%v): browser test skipped", exe, err)
	}
	dir := t.TempDir()
	for _, tc := range []struct{ file, want string }{
		{"testdata/genuine.wav", "genuine"},
		{"testdata/replayed.wav", "spoof"},
	} {
		abs, err := filepath.Abs(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(abs)
		if err != nil {
			t.Fatal(err)
		}
		code, api, _ := post(t, ts.URL+"/v1/score", "", data)
		if code != 200 {
			t.Fatalf("%s: API %d %v", tc.file, code, api)
		}
		var label, points, status, verdict string
		var coloured int
		var shot []byte
		err = chromedp.Run(ctx,
			chromedp.Navigate(ts.URL+"/"),
			chromedp.WaitVisible("#drop", chromedp.ByID),
			chromedp.SetUploadFiles("#file", []string{abs}, chromedp.ByID),
			chromedp.WaitVisible(`#verdict[data-label="genuine"], #verdict[data-label="spoof"]`, chromedp.ByQuery),
			chromedp.AttributeValue("#verdict", "data-label", &label, nil, chromedp.ByID),
			chromedp.Text("#verdict", &verdict, chromedp.ByID),
			chromedp.AttributeValue("#timeline", "data-points", &points, nil, chromedp.ByID),
			chromedp.Text("#status", &status, chromedp.ByID),
			// Pixels of the timeline canvas drawn green or red.
			chromedp.Evaluate(`(() => { const c = document.getElementById("timeline");
				const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data; let n = 0;
				for (let i = 0; i < d.length; i += 4) if (d[i+3] > 0 && Math.abs(d[i] - d[i+1]) > 60) n++;
				return n; })()`, &coloured),
			chromedp.FullScreenshot(&shot, 100), // 100: PNG,
		)
		if err != nil {
			t.Fatalf("%s: %v (status %q)", tc.file, err, status)
		}
		png := filepath.Join(dir, filepath.Base(tc.file)+".png")
		if err := os.WriteFile(png, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		if keep := os.Getenv("DEEP4DEEP_SCREENSHOTS"); keep != "" {
			os.WriteFile(filepath.Join(keep, filepath.Base(png)), shot, 0o644)
		}
		t.Logf("%s: page says %q (%s), API score %.3f, %s timeline points; screenshot %s",
			tc.file, verdict, label, api["score"], points, png)
		if label != api["label"] {
			t.Errorf("%s: page label %q, API %q", tc.file, label, api["label"])
		}
		if label != tc.want {
			t.Errorf("%s: verdict %q, want %q", tc.file, label, tc.want)
		}
		if want := len(api["frames"].([]any)); points != strconv.Itoa(want) || coloured < 100 {
			t.Errorf("%s: timeline has %s points (API %d) and %d coloured pixels", tc.file, points, want, coloured)
		}
	}
	// A file that is not audio: the page shows the server's reason.
	bad := filepath.Join(dir, "notes.txt")
	os.WriteFile(bad, []byte("these are not the samples you are looking for"), 0o644)
	var status, class string
	err = chromedp.Run(ctx,
		chromedp.Navigate(ts.URL+"/"),
		chromedp.SetUploadFiles("#file", []string{bad}, chromedp.ByID),
		chromedp.WaitVisible("#status.error", chromedp.ByQuery),
		chromedp.Text("#status", &status, chromedp.ByID),
		chromedp.AttributeValue("#status", "class", &class, nil, chromedp.ByID),
	)
	if err != nil {
		t.Fatal(err)
	}
	if class != "error" || !strings.Contains(status, "415") || !strings.Contains(status, "unsupported audio format") {
		t.Errorf("bad upload: status %q (class %q)", status, class)
	}
}
