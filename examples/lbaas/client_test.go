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

// putLB puts a load balancer on s and returns its identifier.
func putLB(t *testing.T, s *Server) string {
	t.Helper()
	lb, err := s.Put(Resource{Kind: KindLoadBalancer, Name: "lb"})
	require.NoError(t, err)
	return lb
}

func TestClientCreatesGetsTagsListsAndDestroys(t *testing.T) {
	s := NewServer(Faults{}, "secret")
	c := startAPI(t, s)
	ctx := t.Context()
	lb := putLB(t, s)

	be, err := c.Create(ctx, Resource{Kind: KindBackend, Name: "http", LoadBalancer: lb, Mode: "tcp"})
	require.NoError(t, err)
	assert.NotEmpty(t, be.Identifier)
	assert.Equal(t, StateNewlyCreated, be.State, "a create answers NewlyCreated")
	require.NoError(t, c.Tag(ctx, be.Identifier, "svc=1"))
	require.NoError(t, c.Tag(ctx, be.Identifier, "svc=1"), "tagging twice (the Engine's 422) is success")

	got, err := c.Get(ctx, KindBackend, be.Identifier)
	require.NoError(t, err)
	assert.Equal(t, StateDeployed, got.State, "no provisioning delay configured")
	assert.Equal(t, lb, got.LoadBalancer, "the nested reference decodes to the identifier")
	refs, err := c.Tagged(ctx, "svc=1")
	require.NoError(t, err)
	assert.Equal(t, []Ref{{Identifier: be.Identifier, Name: "http"}}, refs)
	core, err := c.CoreResource(ctx, be.Identifier)
	require.NoError(t, err)
	k, _ := core.Kind()
	assert.Equal(t, KindBackend, k)
	assert.Equal(t, []string{"svc=1"}, core.Tags)
	listed, err := c.List(ctx, KindBackend, "load_balancer", lb)
	require.NoError(t, err)
	assert.Equal(t, refs, listed)
	listed, err = c.List(ctx, KindBackend, "load_balancer", "another")
	require.NoError(t, err)
	assert.Empty(t, listed, "the filter applies")

	require.NoError(t, c.Destroy(ctx, KindBackend, be.Identifier))
	require.NoError(t, c.Destroy(ctx, KindBackend, be.Identifier), "destroying what is gone is success")
	_, err = c.Get(ctx, KindBackend, be.Identifier)
	assert.True(t, IsNotFound(err), "got %v", err)
}

func TestClientListingATagNothingCarriesIsEmptyNotAnError(t *testing.T) {
	c := startAPI(t, NewServer(Faults{}, "secret"))
	refs, err := c.Tagged(t.Context(), "nobody")
	assert.NoError(t, err, "the Engine's 422 means nothing there")
	assert.Empty(t, refs)
}

func TestClientRetries5xxUntilTheEngineAnswers(t *testing.T) {
	s := NewServer(Faults{ServerErrorRate: 0.5, Seed: 7}, "secret")
	c := startAPI(t, s)
	lb := putLB(t, s)
	for range 20 {
		_, err := c.Get(t.Context(), KindLoadBalancer, lb)
		require.NoError(t, err)
	}
	assert.Positive(t, s.Faulted()["503"])
}

func TestClientRetriesAReadThatTimesOut(t *testing.T) {
	s := NewServer(Faults{SlowRate: 0.5, SlowDelay: time.Hour, Seed: 3}, "secret")
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	c, err := NewClient(hs.URL, "secret", fastRetry, 50*time.Millisecond)
	require.NoError(t, err)
	lb := putLB(t, s)
	for range 5 {
		_, err := c.Get(t.Context(), KindLoadBalancer, lb)
		require.NoError(t, err)
	}
	assert.Positive(t, s.Faulted()["stall"])
}

func TestClientDoesNotRepeatACreateTheEngineMayHaveCarriedOut(t *testing.T) {
	tests := []struct {
		name   string
		faults Faults
	}{
		{"answered 503 after acting", Faults{ActThenFailRate: 1}},
		{"hung after acting", Faults{ActThenHangRate: 1, SlowDelay: time.Hour}},
		{"answered 503, acting or not", Faults{ServerErrorRate: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewServer(tt.faults, "")
			hs := httptest.NewServer(s)
			t.Cleanup(hs.Close)
			c, err := NewClient(hs.URL, "", fastRetry, 100*time.Millisecond)
			require.NoError(t, err)
			_, err = c.Create(t.Context(), Resource{Kind: KindBackend, Name: "http", LoadBalancer: putLB(t, s), Mode: "tcp"})
			require.ErrorIs(t, err, ErrOutcomeUnknown)
			assert.LessOrEqual(t, s.Calls()["POST backend"], 1, "one POST at most, never a second")
			assert.NotErrorIs(t, err, backoff.ErrExhausted, "given up at once, not retried")
		})
	}
}

func TestClientRetriesACreateThatNeverReachedTheEngine(t *testing.T) {
	calls := 0
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 {
			writeError(w, http.StatusTooManyRequests, "slow down") // refused, not carried out
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"identifier": "be1", "name": "http", "state": StateNewlyCreated})
	}))
	t.Cleanup(hs.Close)
	c, err := NewClient(hs.URL, "", fastRetry, time.Second)
	require.NoError(t, err)
	be, err := c.Create(t.Context(), Resource{Kind: KindBackend, Name: "http", LoadBalancer: "lb", Mode: "tcp"})
	require.NoError(t, err)
	assert.Equal(t, "be1", be.Identifier)
	assert.Equal(t, 2, calls)
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
		{"wrong token", "guess", Resource{Kind: KindBackend, Name: "b", LoadBalancer: "x", Mode: "tcp"}, http.StatusUnauthorized},
		{"invalid resource", "secret", Resource{Kind: KindBind, Name: "b"}, http.StatusUnprocessableEntity},
		{"dangling reference", "secret", Resource{Kind: KindBackend, Name: "b", LoadBalancer: "nope", Mode: "tcp"}, http.StatusUnprocessableEntity},
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
	resp := &http.Response{StatusCode: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"7"}}}
	hint, ok := backoff.RetryAfterHint(classify(request{method: "GET", path: "/x"}, resp, nil))
	require.True(t, ok)
	assert.Equal(t, 7*time.Second, hint, "the Engine's hint is kept")

	calls := 0
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 {
			writeError(w, http.StatusTooManyRequests, "slow down") // no Retry-After, as the Engine today
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"identifier": "lb-1", "name": "lb"})
	}))
	t.Cleanup(hs.Close)
	c, err := NewClient(hs.URL, "", fastRetry, time.Second)
	require.NoError(t, err)
	r, err := c.Get(t.Context(), KindLoadBalancer, "lb-1")
	require.NoError(t, err)
	assert.Equal(t, "lb-1", r.Identifier)
	assert.Equal(t, 2, calls, "retried after the policy's delay")
}

func TestClientRefusesAnswersItCannotTrust(t *testing.T) {
	tests := []struct{ name, answer, want string }{
		{"no identifier", `{"name":"x","state":{"id":"3","type":1}}`, "no identifier"},
		{"a state that is a number", `{"identifier":"x","state":3}`, "state"},
		{"a reference that is a number", `{"identifier":"x","frontend":7}`, "decoding a bind"},
		{"not JSON", `<html>`, "decoding a bind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := recorder(t, tt.answer)
			_, err := c.Get(t.Context(), KindBind, "x")
			assert.ErrorContains(t, err, tt.want)
		})
	}
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
	lb := putLB(t, s)
	var ids []string
	for range 10 {
		r, err := c.Create(ctx, Resource{Kind: KindBackend, Name: "b", LoadBalancer: lb, Mode: "tcp"})
		require.NoError(t, err)
		assert.Equal(t, StateNewlyCreated, r.State)
		ids = append(ids, r.Identifier)
	}
	clock = clock.Add(time.Minute)
	states := map[State]int{}
	for _, id := range ids {
		r, err := c.Get(ctx, KindBackend, id)
		require.NoError(t, err)
		states[r.State]++
	}
	assert.Equal(t, 10, states[StateDeployed]+states[StateDeploymentError])
	assert.Positive(t, states[StateDeploymentError], "FailRate 0.5 over 10 creates with this seed fails some")
}
