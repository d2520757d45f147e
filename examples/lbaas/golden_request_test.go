package lbaas

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func raws(items ...string) []json.RawMessage {
	out := []json.RawMessage{}
	for _, s := range items {
		out = append(out, json.RawMessage(s))
	}
	return out
}

// sent is one request as the Engine received it.
type sent struct {
	method, path string
	query        url.Values
	header       http.Header
	body         string
}

// recorder answers every request with answer and records it.
func recorder(t *testing.T, answer string) (*Client, *[]sent) {
	t.Helper()
	var got []sent
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got = append(got, sent{r.Method, r.URL.EscapedPath(), r.URL.Query(), r.Header.Clone(), string(body)})
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(hs.Close)
	c, err := NewClient(hs.URL, "s3cr3t", fastRetry, time.Second)
	require.NoError(t, err)
	return c, &got
}

// The requests the adapter sends, field for field as go-anxcloud's request body hooks
// (FilterAPIRequestBody in pkg/apis/lbaas/v1/*_genclient.go) build them: references as
// identifiers, no state on a create, "mode" and "ssl" always there.
func TestGoldenCreateRequestsMatchWhatTheEngineExpects(t *testing.T) {
	tests := []struct {
		name string
		r    Resource
		path string
		body string
	}{
		{"backend", Resource{Kind: KindBackend, Name: "http.sfx", LoadBalancer: "a1b2c3", Mode: "tcp", HealthCheck: backendHealthCheck},
			"/api/LBaaS/v1/backend.json", `{"name":"http.sfx","health_check":"\"adv_check\": \"tcp-check\"","mode":"tcp","load_balancer":"a1b2c3"}`},
		{"frontend", Resource{Kind: KindFrontend, Name: "http.sfx", LoadBalancer: "a1b2c3", DefaultBackend: "7f0e3a", Mode: "tcp"},
			"/api/LBaaS/v1/frontend.json", `{"name":"http.sfx","mode":"tcp","load_balancer":"a1b2c3","default_backend":"7f0e3a"}`},
		{"bind", Resource{Kind: KindBind, Name: "v4.http.sfx", Frontend: "fe1", Address: "192.0.2.10", Port: 80},
			"/api/LBaaS/v1/bind.json", `{"name":"v4.http.sfx","address":"192.0.2.10","port":80,"ssl":false,"frontend":"fe1"}`},
		{"server", Resource{Kind: KindServer, Name: "node-a.http.sfx", Backend: "7f0e3a", Address: "10.0.0.1", Port: 30080, Check: "enabled"},
			"/api/LBaaS/v1/server.json", `{"name":"node-a.http.sfx","ip":"10.0.0.1","port":30080,"check":"enabled","backend":"7f0e3a"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, got := recorder(t, `{"identifier":"new1","name":"`+tt.r.Name+`","state":{"id":"4","title":"NewlyCreated","type":2}}`)
			created, err := c.Create(context.Background(), tt.r)
			require.NoError(t, err)
			assert.Equal(t, "new1", created.Identifier)
			require.Len(t, *got, 1)
			req := (*got)[0]
			assert.Equal(t, http.MethodPost, req.method)
			assert.Equal(t, tt.path, req.path)
			assert.JSONEq(t, tt.body, req.body)
			assert.Equal(t, "Token s3cr3t", req.header.Get("Authorization"))
			assert.Equal(t, "application/json", req.header.Get("Content-Type"))
		})
	}
}

func TestGoldenReadAndTagRequestsMatchWhatTheEngineExpects(t *testing.T) {
	tests := []struct {
		name   string
		answer string
		call   func(*Client) error
		want   sent
	}{
		{"get", `{"identifier":"sv1","name":"n"}`, func(c *Client) error { _, err := c.Get(t.Context(), KindServer, "sv1"); return err },
			sent{method: "GET", path: "/api/LBaaS/v1/server.json/sv1", query: url.Values{}}},
		{"destroy", `{}`, func(c *Client) error { return c.Destroy(t.Context(), KindBind, "bi1") },
			sent{method: "DELETE", path: "/api/LBaaS/v1/bind.json/bi1", query: url.Values{}}},
		{"list by load balancer", `[]`, func(c *Client) error {
			_, err := c.List(t.Context(), KindBackend, "load_balancer", "a1b2c3")
			return err
		},
			sent{method: "GET", path: "/api/LBaaS/v1/backend.json",
				query: url.Values{"filters": {"load_balancer=a1b2c3"}, "page": {"1"}, "limit": {"100"}}}},
		{"list by tag", `{"page":1,"limit":100,"total_items":0,"total_pages":0,"data":[]}`,
			func(c *Client) error { _, err := c.Tagged(t.Context(), "steadfast-svc-uid=u1"); return err },
			sent{method: "GET", path: "/api/core/v1/resource.json",
				query: url.Values{"tag_name": {"steadfast-svc-uid=u1"}, "page": {"1"}, "limit": {"100"}}}},
		{"core resource", goldenCoreResource, func(c *Client) error { _, err := c.CoreResource(t.Context(), "sv1"); return err },
			sent{method: "GET", path: "/api/core/v1/resource.json/sv1", query: url.Values{}}},
		{"tag", `[]`, func(c *Client) error { return c.Tag(t.Context(), "sv1", "steadfast-svc-uid=u1") },
			sent{method: "POST", path: "/api/core/v1/resource.json/sv1/tags/steadfast-svc-uid=u1", query: url.Values{}, body: `""`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, got := recorder(t, tt.answer)
			require.NoError(t, tt.call(c))
			require.Len(t, *got, 1)
			req := (*got)[0]
			assert.Equal(t, tt.want.method, req.method)
			assert.Equal(t, tt.want.path, req.path)
			assert.Equal(t, tt.want.query, req.query)
			assert.Equal(t, tt.want.body, req.body)
			assert.Equal(t, "Token s3cr3t", req.header.Get("Authorization"))
		})
	}
}
