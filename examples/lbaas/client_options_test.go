package lbaas

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stamp is a transport that adds a header to every request.
type stamp struct{ n int }

func (s *stamp) RoundTrip(r *http.Request) (*http.Response, error) {
	s.n++
	r = r.Clone(r.Context())
	r.Header.Set("X-Replica", "r1")
	return http.DefaultTransport.RoundTrip(r)
}

func TestWithTransportSendsEveryRequestThroughIt(t *testing.T) {
	s := NewServer(Faults{}, "")
	var mu sync.Mutex
	var seen []string
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("X-Replica"))
		mu.Unlock()
		s.ServeHTTP(w, r)
	}))
	defer hs.Close()
	rt := &stamp{}
	c, err := NewClient(hs.URL, "", fastRetry, time.Second, WithTransport(rt), WithTransport(nil), nil)
	require.NoError(t, err)
	lb := putLB(t, s)
	_, err = c.Get(t.Context(), KindLoadBalancer, lb)
	require.NoError(t, err)
	assert.Equal(t, 1, rt.n)
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{"r1"}, seen)
}
