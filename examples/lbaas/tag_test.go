package lbaas

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/steadfast-go/steadfast/reconcile/converge"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTaggingIsSerializedSoTheEngineNeverTagsConcurrently(t *testing.T) {
	// The Engine's bug, made real: a tag request that overlaps another is answered 409.
	f := newFixture(t, Faults{TagConflicts: true, TagDelay: 20 * time.Millisecond}, time.Second)
	r := f.reconciler(t, converge.WithParallelism(16))
	require.NoError(t, r.Reconcile(t.Context()))
	f.assertConverged(t, r)
	assert.Zero(t, f.api.Faulted()["409 tag"], "no tag request overlapped another")
}

func TestTagRetriesAConflictAndTakesAlreadyTaggedAsDone(t *testing.T) {
	var calls atomic.Int32
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			writeError(w, http.StatusConflict, "busy")
		default:
			writeError(w, http.StatusUnprocessableEntity, "already tagged")
		}
	}))
	t.Cleanup(hs.Close)
	c, err := NewClient(hs.URL, "", fastRetry, time.Second)
	require.NoError(t, err)
	require.NoError(t, c.Tag(t.Context(), "x", "t"))
	assert.Equal(t, int32(2), calls.Load())
}

func TestServerRefusesATagRequestWithANullBody(t *testing.T) {
	s := NewServer(Faults{}, "")
	lb := putLB(t, s)
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest(http.MethodPost, tagPath(lb, "t"), http.NoBody))
	assert.Equal(t, http.StatusBadRequest, w.Code, "as the Engine, which wants the JSON string \"\"")
	assert.Empty(t, s.Tags(lb))
}
