package lbaas

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
)

// DefaultURL is the Anexia Engine.
const DefaultURL = "https://engine.anexia-it.com"

// Client talks to the Engine's LBaaS v1 and core APIs over HTTP JSON, authenticated with
// "Authorization: Token <token>". Every call is retried under its Policy when the answer is a
// 5xx, a 429 (honouring Retry-After) or a timeout of one attempt, except a create: once the
// Engine may have carried a create out, it is not repeated (see [Client.Create]). Any other
// error is returned at once. Safe for concurrent use; tagging is serialized (see [Client.Tag]),
// so a program should share one Client per account.
type Client struct {
	base   string
	token  string
	http   *http.Client
	policy backoff.Policy
	// attempt bounds one HTTP exchange; a hung Engine is retried, not waited on forever.
	attempt time.Duration
	// pageLimit is the limit asked for in listings.
	pageLimit int
	// tagMu serializes tagging, as the origin does: the Engine mishandled concurrent tagging
	// (its ENGSUP-5902), which the origin's one mutex worked around.
	tagMu sync.Mutex
}

// NewClient returns a client for the Engine at base (such as [DefaultURL]), sending token if it
// is not empty, retrying under p with each attempt bounded by attemptTimeout (zero: none).
func NewClient(base, token string, p backoff.Policy, attemptTimeout time.Duration, opts ...ClientOption) (*Client, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("lbaas: API address %q is not an http(s) URL", base)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	c := &Client{base: strings.TrimRight(base, "/"), token: token, http: &http.Client{}, policy: p,
		attempt: attemptTimeout, pageLimit: 100}
	for _, opt := range opts {
		if opt != nil {
			opt(c)
		}
	}
	return c, nil
}

// APIError is an answer the Engine gave with a status other than success.
type APIError struct {
	Method, Path string
	Status       int
	Message      string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("lbaas: %s %s: %d %s", e.Method, e.Path, e.Status, e.Message)
}

// IsNotFound reports whether err is an Engine answer 404.
func IsNotFound(err error) bool { return hasStatus(err, http.StatusNotFound) }

func hasStatus(err error, status int) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == status
}

// ErrOutcomeUnknown means the Engine may have carried out a create whose answer was lost (a
// timeout, a 5xx, a broken connection): the resource may exist, untagged.
var ErrOutcomeUnknown = errors.New("lbaas: the Engine may have carried out the request")

// request is one call to the Engine.
type request struct {
	method, path string
	query        url.Values
	body         []byte // nil: none
	// once: not repeated once the Engine may have acted on it (creates).
	once bool
	// retryConflict: a 409 is worth another try (tagging while the Engine tags another).
	retryConflict bool
}

// do makes the call under the client's retry policy and returns the answer's body.
func (c *Client) do(ctx context.Context, rq request) ([]byte, error) {
	return backoff.RetryValue(ctx, c.policy, func(ctx context.Context) ([]byte, error) {
		data, err := c.exchange(ctx, rq)
		if err != nil && rq.once && mayHaveActed(err) {
			return nil, backoff.Permanent(fmt.Errorf("%w: %w", ErrOutcomeUnknown, err))
		}
		return data, err
	}, backoff.WithAttemptTimeout(c.attempt))
}

// mayHaveActed reports whether the Engine may have carried out a request that failed with err:
// anything but a refusal it answered (4xx) or a connection that was never made.
func mayHaveActed(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Status >= 500
	}
	var op *net.OpError
	return !errors.As(err, &op) || op.Op != "dial"
}

// exchange does one HTTP request and classifies its failure: permanent unless retrying may help.
func (c *Client) exchange(ctx context.Context, rq request) ([]byte, error) {
	u := c.base + rq.path
	if len(rq.query) > 0 {
		u += "?" + rq.query.Encode()
	}
	var body io.Reader
	if rq.body != nil {
		body = bytes.NewReader(rq.body)
	}
	req, err := http.NewRequestWithContext(ctx, rq.method, u, body)
	if err != nil {
		return nil, backoff.Permanent(err)
	}
	if rq.method == http.MethodGet {
		req.Header.Set("Accept", "application/json")
	} else {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Token "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err // the connection or this attempt's timeout: worth another try
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 300 {
		return data, nil
	}
	return nil, classify(rq, resp, data)
}

// classify turns an answer that is not a success into an error, marked for the retry loop.
func classify(rq request, resp *http.Response, data []byte) error {
	e := &APIError{Method: rq.method, Path: rq.path, Status: resp.StatusCode, Message: errorMessage(data)}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs > 0 {
			return backoff.RetryAfter(time.Duration(secs)*time.Second, e)
		}
		return e
	case resp.StatusCode >= 500, resp.StatusCode == http.StatusConflict && rq.retryConflict:
		return e
	}
	return backoff.Permanent(e)
}

// errorMessage reads the Engine's error body, {"error": {"message": ..., "code": ...}}; a body
// in another shape gives the status text only.
func errorMessage(data []byte) string {
	var body struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(data, &body) != nil {
		return ""
	}
	return body.Error.Message
}
