package serve

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

// page holds the web page: plain HTML, CSS and JavaScript with no build step
// and no network access beyond this server.
//
//go:embed page
var page embed.FS

func (s *Server) handlePage(w http.ResponseWriter, r *http.Request) {
	data, err := page.ReadFile("page/index.html")
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	setPageHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(data)
}

func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/static/")
	if name == "" || name == "index.html" || strings.Contains(name, "/") {
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	sub, _ := fs.Sub(page, "page")
	setPageHeaders(w)
	http.ServeFileFS(w, r, sub, name)
}

// setPageHeaders forbids the page any source but this server.
func setPageHeaders(w http.ResponseWriter) {
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:")
	w.Header().Set("X-Content-Type-Options", "nosniff")
}
