package lbaas

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
)

// Client talks to an LBaaS API over HTTP JSON. Every call is retried under its Policy when the
// answer is a 5xx, a 429 (honouring Retry-After) or a timeout of one attempt; any other error is
// returned at once. Safe for concurrent use.
type Client struct {
	base   string
	token  string
	http   *http.Client
	policy backoff.Policy
	// attempt bounds one HTTP exchange; a hung API is retried, not waited on forever.
	attempt time.Duration
}

// NewClient returns a client for the API at base (such as "http://127.0.0.1:8080"), sending
// token if it is not empty, retrying under p with each attempt bounded by attemptTimeout.
func NewClient(base, token string, p backoff.Policy, attemptTimeout time.Duration) (*Client, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("lbaas: API address %q is not an http(s) URL", base)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &Client{base: strings.TrimRight(base, "/"), token: token, http: &http.Client{}, policy: p, attempt: attemptTimeout}, nil
}

// APIError is an answer the API gave with a status other than success.
type APIError struct {
	Method, Path string
	Status       int
	Message      string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("lbaas: %s %s: %d %s", e.Method, e.Path, e.Status, e.Message)
}

// IsNotFound reports whether err is an API answer 404.
func IsNotFound(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == http.StatusNotFound
}

// Create creates r and returns it as the API answered (identifier set, state pending).
func (c *Client) Create(ctx context.Context, r Resource) (Resource, error) {
	var out Resource
	err := c.call(ctx, http.MethodPost, "/v1/"+string(r.Kind), r, &out)
	return out, err
}

// Get returns the resource of the given kind and identifier.
func (c *Client) Get(ctx context.Context, kind Kind, id string) (Resource, error) {
	var out Resource
	err := c.call(ctx, http.MethodGet, "/v1/"+string(kind)+"/"+url.PathEscape(id), nil, &out)
	return out, err
}

// Destroy destroys the resource; one that is already gone counts as destroyed.
func (c *Client) Destroy(ctx context.Context, kind Kind, id string) error {
	err := c.call(ctx, http.MethodDelete, "/v1/"+string(kind)+"/"+url.PathEscape(id), nil, nil)
	if IsNotFound(err) {
		return nil
	}
	return err
}

// Tag tags the resource with tag.
func (c *Client) Tag(ctx context.Context, id, tag string) error {
	return c.call(ctx, http.MethodPost, "/v1/tags", tagRequest{Identifier: id, Tag: tag}, nil)
}

// ListTag returns the resources carrying tag. The API answers 422 for a tag nothing carries;
// that means "nothing there" and gives an empty list, not an error.
func (c *Client) ListTag(ctx context.Context, tag string) ([]TagRef, error) {
	var out []TagRef
	err := c.call(ctx, http.MethodGet, "/v1/tags/"+url.PathEscape(tag), nil, &out)
	var ae *APIError
	if errors.As(err, &ae) && ae.Status == http.StatusUnprocessableEntity {
		return nil, nil
	}
	return out, err
}

// call does one API call under the client's retry policy and decodes the answer into out.
func (c *Client) call(ctx context.Context, method, path string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("lbaas: %s %s: %w", method, path, err)
		}
	}
	return backoff.Retry(ctx, c.policy, func(ctx context.Context) error {
		data, err := c.exchange(ctx, method, path, body)
		if err != nil {
			return err
		}
		if out == nil {
			return nil
		}
		return backoff.Permanent(decodeInto(data, out))
	}, backoff.WithAttemptTimeout(c.attempt))
}

// exchange does one HTTP request and classifies its failure: permanent unless retrying may help.
func (c *Client) exchange(ctx context.Context, method, path string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, backoff.Permanent(err)
	}
	req.Header.Set("Content-Type", "application/json")
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
	var ae apiError
	_ = json.Unmarshal(data, &ae) // a body that is not ours still gives the status
	e := &APIError{Method: method, Path: path, Status: resp.StatusCode, Message: ae.Error}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return nil, backoff.RetryAfter(time.Duration(secs)*time.Second, e)
	case resp.StatusCode >= 500:
		return nil, e
	}
	return nil, backoff.Permanent(e)
}
