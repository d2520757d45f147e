package lbaas

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClientListsEveryPage(t *testing.T) {
	s := NewServer(Faults{}, "")
	c := startAPI(t, s)
	c.pageLimit = 2
	lb := putLB(t, s)
	var want []Ref
	for i := range 7 {
		name := fmt.Sprintf("be-%d", i)
		id, err := s.Put(Resource{Kind: KindBackend, Name: name, LoadBalancer: lb, Mode: "tcp"}, "t")
		require.NoError(t, err)
		want = append(want, Ref{Identifier: id, Name: name})
	}
	tagged, err := c.Tagged(t.Context(), "t")
	require.NoError(t, err)
	assert.Equal(t, want, tagged, "the core API's paged answers, 4 pages")
	listed, err := c.List(t.Context(), KindBackend, "load_balancer", lb)
	require.NoError(t, err)
	assert.Equal(t, want, listed, "the LBaaS API's bare arrays, until an empty page")
}

func TestClientEndsAListingAtAnEngineThatIgnoresThePage(t *testing.T) {
	var calls atomic.Int32
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeJSON(w, http.StatusOK, []Ref{{Identifier: "a", Name: "x"}, {Identifier: "b", Name: "y"}})
	}))
	t.Cleanup(hs.Close)
	c, err := NewClient(hs.URL, "", fastRetry, time.Second)
	require.NoError(t, err)
	c.pageLimit = 2
	refs, err := c.List(t.Context(), KindServer, "", "")
	require.NoError(t, err)
	assert.Equal(t, []Ref{{"a", "x"}, {"b", "y"}}, refs, "each entry once")
	assert.Equal(t, int32(2), calls.Load(), "the second page brought nothing new: the end")
}

func TestPageLastFollowsTheEngineFigures(t *testing.T) {
	one := raws(`{"identifier":"a"}`)
	tests := []struct {
		name string
		p    page
		n    int
		last bool
	}{
		{"empty", page{}, 1, true},
		{"before total_pages", page{items: one, number: 1, total: 2}, 1, false},
		{"at total_pages", page{items: one, number: 2, total: 2}, 2, true},
		{"fewer than the Engine's limit", page{items: one, limit: 2}, 1, true},
		{"as many as the limit", page{items: one, limit: 1}, 1, false},
		{"a bare array goes on", page{items: one}, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.last, tt.p.last(tt.n))
		})
	}
}

func TestDecodePageRefusesWhatIsNotAListing(t *testing.T) {
	for _, bad := range []string{``, `"x"`, `{"data":"x"}`, `{"page":-1,"data":[]}`, `{"data":{"data":{"data":[]}}}`, `[1,`} {
		_, err := decodePage([]byte(bad))
		assert.Error(t, err, bad)
	}
	p, err := decodePage([]byte(`{"data":null}`))
	require.NoError(t, err)
	assert.Empty(t, p.items, "null data is an empty page")
}
