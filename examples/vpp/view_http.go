package vpp

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// Viewer gives the operator's view of one frontend by name, or of every frontend for an empty
// name, with an error matching [ErrUnknownFrontend] for a name it does not have.
// [*Controller] is one.
type Viewer interface {
	View(frontend string) ([]FrontendView, error)
}

// ViewerFunc adapts a function to a [Viewer].
type ViewerFunc func(frontend string) ([]FrontendView, error)

var (
	_ Viewer = ViewerFunc(nil)
	_ Viewer = (*Controller)(nil)
)

// View calls f(frontend).
func (f ViewerFunc) View(frontend string) ([]FrontendView, error) { return f(frontend) }

// ViewPath is where [NewViewHandler] serves every frontend; one frontend is at ViewPath, a
// slash and its name, path-escaped.
const ViewPath = "/frontends"

var (
	errViewPath  = errors.New("no such page: the view is at " + ViewPath + " and " + ViewPath + "/{name}")
	errViewQuery = errors.New(`bad query: the only parameter is format, "json" (the default) or "text"`)
)

// viewRequest is what an operator asked for: one frontend (or all, when empty), as text or
// JSON.
type viewRequest struct {
	frontend string
	text     bool
}

// parseViewRequest reads a request's escaped path and raw query: ViewPath (with or without a
// trailing slash) for every frontend, ViewPath/{name} for one, and an optional format=json or
// format=text. It returns errViewPath or errViewQuery for anything else.
func parseViewRequest(escapedPath, rawQuery string) (viewRequest, error) {
	var req viewRequest
	rest, ok := strings.CutPrefix(escapedPath, ViewPath)
	switch {
	case !ok:
		return req, errViewPath
	case rest != "" && rest != "/":
		name, err := url.PathUnescape(rest[1:])
		if rest[0] != '/' || strings.Contains(rest[1:], "/") || err != nil || name == "" {
			return req, errViewPath
		}
		req.frontend = name
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return req, errViewQuery
	}
	for k, vs := range q {
		if k != "format" || len(vs) != 1 || (vs[0] != "json" && vs[0] != "text") {
			return req, errViewQuery
		}
		req.text = vs[0] == "text"
	}
	return req, nil
}

// NewViewHandler returns an HTTP handler that serves v's views read-only: GET (or HEAD) on
// [ViewPath] for every frontend and ViewPath/{name} for one, as a JSON array of
// [FrontendView] or, with ?format=text, as [WriteView] writes them. It answers 404 for another
// path or an unknown frontend, 400 for another query, 405 for another method, and 503 if v is
// nil; error bodies are {"error": "..."} in JSON, one line in text. It is safe for concurrent
// use.
func NewViewHandler(v Viewer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := parseViewRequest(r.URL.EscapedPath(), r.URL.RawQuery)
		switch {
		case r.Method != http.MethodGet && r.Method != http.MethodHead:
			w.Header().Set("Allow", "GET, HEAD")
			writeViewError(w, req.text, http.StatusMethodNotAllowed, errors.New("read-only: GET or HEAD"))
		case errors.Is(err, errViewPath):
			writeViewError(w, req.text, http.StatusNotFound, err)
		case err != nil:
			writeViewError(w, req.text, http.StatusBadRequest, err)
		case v == nil:
			writeViewError(w, req.text, http.StatusServiceUnavailable, errors.New("no view to serve"))
		default:
			serveView(w, v, req)
		}
	})
}

func serveView(w http.ResponseWriter, v Viewer, req viewRequest) {
	views, err := v.View(req.frontend)
	switch {
	case errors.Is(err, ErrUnknownFrontend):
		writeViewError(w, req.text, http.StatusNotFound, err)
		return
	case err != nil:
		writeViewError(w, req.text, http.StatusInternalServerError, err)
		return
	}
	if req.text {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_ = WriteView(w, views) // a write error means the client went away
		return
	}
	if views == nil {
		views = []FrontendView{}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(views)
}

func writeViewError(w http.ResponseWriter, text bool, code int, err error) {
	if text {
		http.Error(w, err.Error(), code)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
}

// ViewURL returns the URL of a frontend's view (every frontend's for an empty name) on the
// server at base ("http://127.0.0.1:8080"), as text or JSON: the inverse of what the handler
// parses.
func ViewURL(base, frontend string, text bool) string {
	u := strings.TrimSuffix(base, "/") + ViewPath
	if frontend != "" {
		u += "/" + url.PathEscape(frontend)
	}
	if text {
		u += "?format=text"
	}
	return u
}
