package lbaas

import "net/http"

// ClientOption configures a [Client]; pass them to [NewClient].
type ClientOption func(*Client)

// WithTransport makes the client send its requests through rt instead of
// http.DefaultTransport: one that adds headers (the fencing token of a leader, say) or
// refuses a request whose context's deadline has passed. A nil rt is ignored.
func WithTransport(rt http.RoundTripper) ClientOption {
	return func(c *Client) {
		if rt != nil {
			c.http.Transport = rt
		}
	}
}
