package vpp

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Prober runs one health check of a backend. Probe returns nil when the check passed; it must
// return soon after ctx ends (the checker bounds each probe with the check's Timeout through
// ctx). It is called concurrently for different backends.
type Prober interface {
	Probe(ctx context.Context, b Backend) error
}

// ProberFunc adapts a function to a [Prober].
type ProberFunc func(ctx context.Context, b Backend) error

var _ Prober = ProberFunc(nil)

// Probe calls f(ctx, b).
func (f ProberFunc) Probe(ctx context.Context, b Backend) error { return f(ctx, b) }

// NetProber is the real [Prober]: a TCP connect for [CheckTCP], an HTTP GET for [CheckHTTP]
// (any 2xx or 3xx answer passes; redirects are not followed), on a new connection each time, as
// a load balancer's health check does, so that a server that stopped accepting is seen at once.
// A backend with [CheckNone] passes. Its zero value is ready to use and it is safe for
// concurrent use; it keeps no connection open between probes.
type NetProber struct{}

var _ Prober = NetProber{}

// Probe checks b as its HealthCheck says.
func (NetProber) Probe(ctx context.Context, b Backend) error {
	target := netip.AddrPortFrom(b.Address, b.Check.Port).String()
	switch b.Check.Type {
	case CheckNone:
		return nil
	case CheckTCP:
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", target)
		if err != nil {
			return err
		}
		return conn.Close()
	case CheckHTTP:
		var d net.Dialer
		return probeHTTP(ctx, d.DialContext, target, b.Check.Path)
	}
	return fmt.Errorf("unknown check type %v", b.Check.Type)
}

// dialFunc opens a connection, as net.Dialer.DialContext does.
type dialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// probeHTTP sends one GET for path to target over a connection from dial and judges the
// answer: a status from 200 to 399 passes. The body is read (up to 64 KiB) and dropped. It
// makes one round trip, with no client on top: a redirect is an answer, never followed nor
// even parsed (http.Client reads the Location of a 3xx before any CheckRedirect, and fails
// the request when it does not parse).
func probeHTTP(ctx context.Context, dial dialFunc, target, path string) error {
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+target+path, nil)
	if err != nil {
		return err
	}
	transport := &http.Transport{DisableKeepAlives: true, DialContext: dial}
	resp, err := transport.RoundTrip(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 399 {
		return fmt.Errorf("http status %d", resp.StatusCode)
	}
	return nil
}
