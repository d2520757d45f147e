package bmdb_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/examples/bmdb"
)

// serveProvider serves p over HTTP on loopback until the test ends, so that every worker
// process calls the same provider, which dedupes their requests as one cloud API would.
func serveProvider(t *testing.T, p *bmdb.Provider) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, _ := strconv.ParseInt(r.FormValue("key"), 10, 64)
		err := p.Call(r.Context(), bmdb.Request{Op: r.FormValue("op"), Machine: r.FormValue("machine"), Key: key})
		if d, ok := backoff.RetryAfterHint(err); ok {
			w.Header().Set("Retry-After-Ms", strconv.FormatInt(d.Milliseconds(), 10))
		}
		switch {
		case err == nil:
			w.WriteHeader(http.StatusNoContent)
		case errors.Is(err, bmdb.ErrMachineBroken):
			http.Error(w, err.Error(), http.StatusConflict)
		default:
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// httpCloud is the workers' client of serveProvider's provider.
func httpCloud(base string) bmdb.Cloud {
	client := &http.Client{Timeout: 10 * time.Second}
	return bmdb.CloudFunc(func(ctx context.Context, r bmdb.Request) error {
		q := url.Values{"op": {r.Op}, "machine": {r.Machine}, "key": {strconv.FormatInt(r.Key, 10)}}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"?"+q.Encode(), nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("%s %s: %w", r.Op, r.Machine, err)
		}
		defer resp.Body.Close()
		err = fmt.Errorf("%s %s: %s: %w", r.Op, r.Machine, resp.Status, bmdb.ErrProviderFailed)
		if ms, perr := strconv.ParseInt(resp.Header.Get("Retry-After-Ms"), 10, 64); perr == nil {
			err = backoff.RetryAfter(time.Duration(ms)*time.Millisecond, err)
		}
		switch resp.StatusCode {
		case http.StatusNoContent:
			return nil
		case http.StatusConflict:
			return backoff.Permanent(fmt.Errorf("%s %s: %w", r.Op, r.Machine, bmdb.ErrMachineBroken))
		}
		return err
	})
}
