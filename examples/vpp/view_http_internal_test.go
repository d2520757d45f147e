package vpp

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseViewRequest(t *testing.T) {
	tests := []struct {
		path, query string
		want        viewRequest
		err         error
	}{
		{"/frontends", "", viewRequest{}, nil},
		{"/frontends/", "", viewRequest{}, nil},
		{"/frontends/web", "", viewRequest{frontend: "web"}, nil},
		{"/frontends/web", "format=text", viewRequest{frontend: "web", text: true}, nil},
		{"/frontends", "format=json", viewRequest{}, nil},
		{"/frontends/a%2Fb", "", viewRequest{frontend: "a/b"}, nil},
		{"/frontends/%20", "", viewRequest{frontend: " "}, nil},
		{"/frontendsweb", "", viewRequest{}, errViewPath},
		{"/frontends//", "", viewRequest{}, errViewPath},
		{"/frontends/web/", "", viewRequest{}, errViewPath},
		{"/frontends/%zz", "", viewRequest{}, errViewPath},
		{"/", "", viewRequest{}, errViewPath},
		{"/frontends", "format=TEXT", viewRequest{}, errViewQuery},
		{"/frontends", "format=text;x", viewRequest{}, errViewQuery},
		{"/frontends", "format", viewRequest{}, errViewQuery},
		{"/frontends", "%zz", viewRequest{}, errViewQuery},
	}
	for _, tt := range tests {
		t.Run(tt.path+"?"+tt.query, func(t *testing.T) {
			got, err := parseViewRequest(tt.path, tt.query)
			require.ErrorIs(t, err, tt.err)
			if tt.err == nil {
				assert.Equal(t, tt.want, got)
			}
		})
	}
}

// FuzzParseViewRequest checks that the operator view's request parser never panics, and that
// what it accepts names itself: the URL ViewURL builds for the parsed request parses back to
// the same request.
func FuzzParseViewRequest(f *testing.F) {
	for _, seed := range [][2]string{
		{"/frontends", ""}, {"/frontends/web", "format=text"}, {"/frontends/a%2Fb", "format=json"},
		{"/frontends/%zz", "format=x"}, {"/frontends//", "a=b&c=d"}, {"/frontends/%E2%82%AC", ""},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, path, query string) {
		req, err := parseViewRequest(path, query)
		if err != nil {
			return
		}
		u, err := url.Parse(ViewURL("", req.frontend, req.text))
		require.NoError(t, err)
		again, err := parseViewRequest(u.EscapedPath(), u.RawQuery)
		require.NoError(t, err, "%q", u)
		assert.Equal(t, req, again)
	})
}
