package lbaas

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/backoff"
)

var fastRetry = backoff.Policy{Initial: time.Millisecond, Max: 10 * time.Millisecond, MaxElapsed: 10 * time.Second}

// startAPI serves s on 127.0.0.1 and returns a client for it.
func startAPI(t *testing.T, s *Server) *Client {
	t.Helper()
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	c, err := NewClient(hs.URL, "secret", fastRetry, time.Second)
	require.NoError(t, err)
	return c
}

func TestClientCreatesGetsTagsAndDestroys(t *testing.T) {
	s := NewServer(Faults{}, "secret")
	c := startAPI(t, s)
	ctx := t.Context()

	lb, err := c.Create(ctx, Resource{Kind: KindLoadBalancer, Name: "lb"})
	require.NoError(t, err)
	assert.NotEmpty(t, lb.Identifier)
	be, err := c.Create(ctx, Resource{Kind: KindBackend, Name: "be-http", LoadBalancer: lb.Identifier})
	require.NoError(t, err)
	require.NoError(t, c.Tag(ctx, be.Identifier, "svc=1"))

	got, err := c.Get(ctx, KindBackend, be.Identifier)
	require.NoError(t, err)
	assert.Equal(t, StateOK, got.State, "no provisioning delay configured")
	refs, err := c.ListTag(ctx, "svc=1")
	require.NoError(t, err)
	assert.Equal(t, []TagRef{{Identifier: be.Identifier, Kind: KindBackend}}, refs)

	require.NoError(t, c.Destroy(ctx, KindBackend, be.Identifier))
	require.NoError(t, c.Destroy(ctx, KindBackend, be.Identifier), "destroying what is gone is success")
	_, err = c.Get(ctx, KindBackend, be.Identifier)
	assert.True(t, IsNotFound(err), "got %v", err)
}

func TestClientListingATagNothingCarriesIsEmptyNotAnError(t *testing.T) {
	c := startAPI(t, NewServer(Faults{}, "secret"))
	refs, err := c.ListTag(t.Context(), "nobody")
	assert.NoError(t, err, "the API's 422 means nothing there")
	assert.Empty(t, refs)
}

func TestClientRetries5xxUntilTheAPIAnswers(t *testing.T) {
	s := NewServer(Faults{ServerErrorRate: 0.5, Seed: 7}, "secret")
	c := startAPI(t, s)
	for range 20 {
		_, err := c.Create(t.Context(), Resource{Kind: KindLoadBalancer, Name: "lb"})
		require.NoError(t, err)
	}
	assert.Equal(t, 20, s.Calls()["POST /v1/loadbalancer"], "each create happened once")
}

func TestClientRetriesAnAttemptThatTimesOut(t *testing.T) {
	s := NewServer(Faults{SlowRate: 0.5, SlowDelay: time.Hour, Seed: 3}, "secret")
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	c, err := NewClient(hs.URL, "secret", fastRetry, 50*time.Millisecond)
	require.NoError(t, err)
	for range 5 {
		_, err := c.Create(t.Context(), Resource{Kind: KindLoadBalancer, Name: "lb"})
		require.NoError(t, err)
	}
	assert.Equal(t, 5, s.Calls()["POST /v1/loadbalancer"])
}

func TestClientDoesNotRetryWhatCannotSucceed(t *testing.T) {
	s := NewServer(Faults{}, "secret")
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	tests := []struct {
		name   string
		token  string
		r      Resource
		status int
	}{
		{"wrong token", "guess", Resource{Kind: KindLoadBalancer, Name: "lb"}, http.StatusUnauthorized},
		{"invalid resource", "secret", Resource{Kind: KindBind, Name: "b"}, http.StatusUnprocessableEntity},
		{"dangling reference", "secret", Resource{Kind: KindBackend, Name: "b", LoadBalancer: "nope"}, http.StatusUnprocessableEntity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(hs.URL, tt.token, fastRetry, time.Second)
			require.NoError(t, err)
			_, err = c.Create(t.Context(), tt.r)
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tt.status, ae.Status)
			assert.NotErrorIs(t, err, backoff.ErrExhausted, "answered at once, not retried to the deadline")
		})
	}
}

func TestClientHonoursRetryAfterOn429(t *testing.T) {
	calls := 0
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 {
			w.Header().Set("Retry-After", "0")
			writeError(w, http.StatusTooManyRequests, "slow down")
			return
		}
		writeJSON(w, http.StatusOK, Resource{Kind: KindLoadBalancer, Identifier: "lb-1", Name: "lb", State: StateOK})
	}))
	t.Cleanup(hs.Close)
	c, err := NewClient(hs.URL, "", fastRetry, time.Second)
	require.NoError(t, err)
	r, err := c.Get(t.Context(), KindLoadBalancer, "lb-1")
	require.NoError(t, err)
	assert.Equal(t, "lb-1", r.Identifier)
	assert.Equal(t, 2, calls)
}

func TestClientRefusesAnswersItCannotTrust(t *testing.T) {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"kind": "frontend", "identifier": "x", "state": "exploded"})
	}))
	t.Cleanup(hs.Close)
	c, err := NewClient(hs.URL, "", fastRetry, time.Second)
	require.NoError(t, err)
	_, err = c.Get(t.Context(), KindFrontend, "x")
	assert.ErrorContains(t, err, `unknown state "exploded"`)
}

func TestNewClientRefusesBadAddresses(t *testing.T) {
	for _, base := range []string{"", "127.0.0.1:80", "ftp://x", "http://"} {
		_, err := NewClient(base, "", fastRetry, time.Second)
		assert.Error(t, err, base)
	}
	_, err := NewClient("http://127.0.0.1:1", "", backoff.Policy{Jitter: 3}, time.Second)
	assert.ErrorIs(t, err, backoff.ErrInvalidPolicy)
}

func TestServerProvisionsAsynchronously(t *testing.T) {
	s := NewServer(Faults{ProvisionDelay: time.Minute, FailRate: 0.5, Seed: 1}, "")
	clock := time.Unix(0, 0)
	s.now = func() time.Time { return clock }
	c := startAPI(t, s)
	ctx := context.Background()
	var ids []string
	for range 10 {
		r, err := c.Create(ctx, Resource{Kind: KindLoadBalancer, Name: "lb"})
		require.NoError(t, err)
		assert.Equal(t, StatePending, r.State)
		ids = append(ids, r.Identifier)
	}
	clock = clock.Add(time.Minute)
	states := map[State]int{}
	for _, id := range ids {
		r, err := c.Get(ctx, KindLoadBalancer, id)
		require.NoError(t, err)
		states[r.State]++
	}
	assert.Equal(t, 10, states[StateOK]+states[StateError])
	assert.Positive(t, states[StateError], "FailRate 0.5 over 10 creates with this seed fails some")
}
