package lbaas

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fenced sends the fencing headers of holder and token with every request.
type fenced struct {
	holder string
	token  uint64
}

func (f fenced) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set(FenceHolderHeader, f.holder)
	req.Header.Set(FenceTokenHeader, strconv.FormatUint(f.token, 10))
	return http.DefaultTransport.RoundTrip(req)
}

func TestServerRefusesAMutatingCallWithAnOlderFencingTokenAndRecordsEveryCall(t *testing.T) {
	s := NewServer(Faults{}, "secret")
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	client := func(holder string, token uint64) *Client {
		c, err := NewClient(hs.URL, "secret", fastRetry, 0, WithTransport(fenced{holder, token}))
		require.NoError(t, err)
		return c
	}
	ctx := t.Context()
	lb := putLB(t, s)
	a, b := client("a", 1), client("b", 2)
	be, err := a.Create(ctx, Resource{Kind: KindBackend, Name: "http", LoadBalancer: lb, Mode: "tcp"})
	require.NoError(t, err)
	require.NoError(t, b.Tag(ctx, be.Identifier, "t"))
	_, err = a.Create(ctx, Resource{Kind: KindBackend, Name: "late", LoadBalancer: lb, Mode: "tcp"})
	require.True(t, hasStatus(err, http.StatusConflict), "a's token 1 is older than b's 2: %v", err)
	_, err = a.Get(ctx, KindBackend, be.Identifier)
	require.NoError(t, err, "reads are not fenced")
	require.NoError(t, b.Destroy(ctx, KindBackend, be.Identifier))
	unfenced := startAPI(t, s)
	require.NoError(t, unfenced.Destroy(ctx, KindBackend, be.Identifier), "a call without the header is not fenced (gone counts as destroyed)")

	var got []Mutation
	for _, m := range s.Mutations() {
		got = append(got, Mutation{Call: m.Call, Holder: m.Holder, Token: m.Token, Refused: m.Refused})
	}
	assert.Equal(t, []Mutation{
		{Call: "POST backend", Holder: "a", Token: 1},
		{Call: "POST tag", Holder: "b", Token: 2},
		{Call: "POST backend", Holder: "a", Token: 1, Refused: true},
		{Call: "DELETE backend", Holder: "b", Token: 2},
	}, got)
	assert.Equal(t, 3, s.MutatingCalls(), "a refused call is not carried out")
	assert.Len(t, s.Resources(), 1, "the load balancer only")
}
