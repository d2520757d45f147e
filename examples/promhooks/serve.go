package promhooks

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Handler serves g's metrics in Prometheus' exposition format (promhttp.HandlerFor).
func Handler(g prometheus.Gatherer) http.Handler {
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{})
}

// Serve serves [Handler](g) at /metrics on lis until ctx ends, then shuts the server down
// (waiting up to a second for scrapes in flight) and returns nil; it returns the server's
// error if it fails first. It closes lis. The caller owns its goroutine.
func Serve(ctx context.Context, lis net.Listener, g prometheus.Gatherer) error {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", Handler(g))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(lis) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Start listens on addr ("127.0.0.1:0" for a free loopback port) and serves g there as
// [Serve] does, on a goroutine it starts, until ctx ends. It returns the address it listens
// on, and wait, which blocks until the server has stopped and returns Serve's error; call it
// after ctx ended. It is for the cmd programs' -metrics flag.
func Start(ctx context.Context, addr string, g prometheus.Gatherer) (bound string, wait func() error, err error) {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("promhooks: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, lis, g) }()
	return lis.Addr().String(), func() error { return <-done }, nil
}

// NewRegistry returns a registry with Go's runtime and process collectors, for a program's
// metrics.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// ServeFlag serves g at addr as a cmd program's -metrics flag asks: nothing if addr is empty;
// otherwise, as [Start] does, logging the URL to log. It returns stop, which ends the server
// and waits for it (a no-op when nothing is served).
func ServeFlag(ctx context.Context, addr string, g prometheus.Gatherer, log *slog.Logger) (stop func(), err error) {
	if addr == "" {
		return func() {}, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	bound, wait, err := Start(ctx, addr, g)
	if err != nil {
		cancel()
		return nil, err
	}
	log.Info("serving metrics", "url", "http://"+bound+"/metrics")
	return func() { cancel(); _ = wait() }, nil
}
