package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"
)

// demoBackends are the HTTP backends the demo serves: a name and a loopback address each.
var demoBackends = []struct{ name, addr string }{
	{"a", "127.0.0.11"}, {"b", "127.0.0.12"}, {"c", "127.0.0.21"}, {"d", "127.0.0.22"},
}

// httpBackend is one real HTTP server on loopback that can be stopped and started again on
// the same address and port.
type httpBackend struct {
	addr netip.AddrPort
	mu   sync.Mutex
	srv  *http.Server
	done chan struct{}
}

type backendSet map[string]*httpBackend

// startBackends starts one server per backend, each on its own loopback address and a free
// port (Linux routes all of 127.0.0.0/8 to the loopback interface).
func startBackends(list []struct{ name, addr string }) (backendSet, error) {
	set := backendSet{}
	for _, b := range list {
		lis, err := net.Listen("tcp", b.addr+":0")
		if err != nil {
			set.stopAll()
			return nil, fmt.Errorf("backend %s: %w", b.name, err)
		}
		hb := &httpBackend{addr: netip.MustParseAddrPort(lis.Addr().String())}
		hb.serve(lis)
		set[b.name] = hb
	}
	return set, nil
}

func (hb *httpBackend) serve(lis net.Listener) {
	hb.mu.Lock()
	defer hb.mu.Unlock()
	hb.srv = &http.Server{
		Handler:           http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) }),
		ReadHeaderTimeout: time.Second,
	}
	hb.done = make(chan struct{})
	srv, done := hb.srv, hb.done
	go func() {
		defer close(done)
		_ = srv.Serve(lis) // ErrServerClosed after stop; any other failure shows in the health check
	}()
}

// stop closes the server and waits for it; stopping a stopped backend does nothing.
func (hb *httpBackend) stop() {
	hb.mu.Lock()
	srv, done := hb.srv, hb.done
	hb.srv = nil
	hb.mu.Unlock()
	if srv == nil {
		return
	}
	_ = srv.Close()
	<-done
}

// start serves again on the same address and port.
func (hb *httpBackend) start(ctx context.Context) error {
	var lc net.ListenConfig
	lis, err := lc.Listen(ctx, "tcp", hb.addr.String())
	if err != nil {
		return err
	}
	hb.serve(lis)
	return nil
}

func (s backendSet) stopAll() {
	for _, hb := range s {
		hb.stop()
	}
}
