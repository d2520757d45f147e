package vpp_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/examples/vpp"
)

// fixedViews serves two frontends, "web" and "a/b" (a name that needs escaping in a path).
func fixedViews() vpp.Viewer {
	w := uint8(100)
	since := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	all := []vpp.FrontendView{
		{Name: "web", VIP: netip.MustParseAddr("192.0.2.1"), Protocol: vpp.TCP, Port: 80, NewFlowsTableLength: 1024,
			ActivePool: "primary", DataplaneKnown: true, Backends: []vpp.BackendView{
				{Backend: "a", Address: netip.MustParseAddr("10.0.0.1"), Pool: "primary", Configured: 100, Effective: 100,
					Dataplane: &w, State: vpp.StateUp, Since: since}}},
		{Name: "a/b", VIP: netip.MustParseAddr("192.0.2.2"), Protocol: vpp.UDP, Port: 53, NewFlowsTableLength: 1024},
	}
	return vpp.ViewerFunc(func(name string) ([]vpp.FrontendView, error) {
		if name == "" {
			return all, nil
		}
		for _, v := range all {
			if v.Name == name {
				return []vpp.FrontendView{v}, nil
			}
		}
		return nil, fmt.Errorf("%w %q", vpp.ErrUnknownFrontend, name)
	})
}

func get(t *testing.T, method, url string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(body)
}

func TestViewHandler_ServesEveryFrontendOrOneAsJSONOrText(t *testing.T) {
	srv := httptest.NewServer(vpp.NewViewHandler(fixedViews()))
	defer srv.Close()

	code, ctype, body := get(t, http.MethodGet, vpp.ViewURL(srv.URL, "", false))
	require.Equal(t, http.StatusOK, code, body)
	assert.Equal(t, "application/json", ctype)
	var views []vpp.FrontendView
	require.NoError(t, json.Unmarshal([]byte(body), &views))
	want, _ := fixedViews().View("")
	assert.Equal(t, want, views, "the JSON form decodes to what was served")
	assert.Contains(t, body, `"state":"up"`)
	assert.Contains(t, body, `"encap":"gre4"`)

	code, _, body = get(t, http.MethodGet, vpp.ViewURL(srv.URL, "a/b", false))
	require.Equal(t, http.StatusOK, code, body)
	require.NoError(t, json.Unmarshal([]byte(body), &views))
	require.Len(t, views, 1)
	assert.Equal(t, "a/b", views[0].Name, "a name with a slash, path-escaped")

	code, ctype, body = get(t, http.MethodGet, vpp.ViewURL(srv.URL, "web", true))
	require.Equal(t, http.StatusOK, code, body)
	assert.Equal(t, "text/plain; charset=utf-8", ctype)
	var text strings.Builder
	require.NoError(t, vpp.WriteView(&text, want[:1]))
	assert.Equal(t, text.String(), body)
}

func TestViewHandler_AnswersErrorsWithTheirStatus(t *testing.T) {
	srv := httptest.NewServer(vpp.NewViewHandler(fixedViews()))
	defer srv.Close()
	broken := httptest.NewServer(vpp.NewViewHandler(vpp.ViewerFunc(func(string) ([]vpp.FrontendView, error) {
		return nil, errors.New("boom")
	})))
	defer broken.Close()
	none := httptest.NewServer(vpp.NewViewHandler(nil))
	defer none.Close()
	tests := []struct {
		name, method, url string
		code              int
		body              string
	}{
		{"unknown frontend", http.MethodGet, srv.URL + "/frontends/nope", 404, `{"error":"vpp: unknown frontend \"nope\""}`},
		{"unknown frontend as text", http.MethodGet, srv.URL + "/frontends/nope?format=text", 404, `vpp: unknown frontend "nope"`},
		{"another path", http.MethodGet, srv.URL + "/backends", 404, "no such page"},
		{"a path below a frontend", http.MethodGet, srv.URL + "/frontends/web/x", 404, "no such page"},
		{"another format", http.MethodGet, srv.URL + "/frontends?format=yaml", 400, "bad query"},
		{"another parameter", http.MethodGet, srv.URL + "/frontends?name=web", 400, "bad query"},
		{"two formats", http.MethodGet, srv.URL + "/frontends?format=text&format=json", 400, "bad query"},
		{"a write", http.MethodPost, srv.URL + "/frontends/web", 405, "read-only"},
		{"a viewer that fails", http.MethodGet, broken.URL + "/frontends", 500, "boom"},
		{"no viewer", http.MethodGet, none.URL + "/frontends", 503, "no view to serve"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, body := get(t, tt.method, tt.url)
			assert.Equal(t, tt.code, code)
			assert.Contains(t, body, tt.body)
		})
	}
}

func TestViewHandler_ServesAControllersView(t *testing.T) {
	ctl, err := vpp.New(validConfig(), vpp.NewMemDataplane().Dial)
	require.NoError(t, err)
	srv := httptest.NewServer(vpp.NewViewHandler(ctl))
	defer srv.Close()
	code, _, body := get(t, http.MethodGet, vpp.ViewURL(srv.URL, "web", true))
	require.Equal(t, http.StatusOK, code, body)
	assert.Contains(t, body, "frontend web: 192.0.2.1 tcp/80 encap gre4 new_len 1024, active pool primary")
	assert.Contains(t, body, "?", "a controller that never ran does not know what the dataplane holds")
}
