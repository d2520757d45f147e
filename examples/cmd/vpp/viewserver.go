package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/steadfast-go/steadfast/examples/vpp"
)

// viewServer serves the controller's operator view on 127.0.0.1 only.
type viewServer struct {
	base string // "http://127.0.0.1:port"
	srv  *http.Server
	done chan error
	once sync.Once
	err  error
}

// startViewServer listens on 127.0.0.1:port (0: a free port) and serves v's view there.
func startViewServer(ctx context.Context, port int, v vpp.Viewer) (*viewServer, error) {
	var lc net.ListenConfig
	lis, err := lc.Listen(ctx, "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return nil, fmt.Errorf("operator view: %w", err)
	}
	s := &viewServer{
		base: "http://" + lis.Addr().String(),
		srv:  &http.Server{Handler: vpp.NewViewHandler(v), ReadHeaderTimeout: time.Second},
		done: make(chan error, 1),
	}
	go func() { s.done <- s.srv.Serve(lis) }()
	return s, nil
}

// stop closes the server and waits for it; later calls return the first one's error.
func (s *viewServer) stop() error {
	s.once.Do(func() {
		_ = s.srv.Close()
		if err := <-s.done; !errors.Is(err, http.ErrServerClosed) {
			s.err = fmt.Errorf("operator view: %w", err)
		}
	})
	return s.err
}

// viewClient reads the operator view over HTTP, as an operator's tool would.
type viewClient struct {
	base string
	http *http.Client
}

// frontends returns the JSON view of one frontend (every one for an empty name).
func (c viewClient) frontends(ctx context.Context, name string) ([]vpp.FrontendView, error) {
	body, err := c.get(ctx, vpp.ViewURL(c.base, name, false))
	if err != nil {
		return nil, err
	}
	var views []vpp.FrontendView
	if err := json.Unmarshal(body, &views); err != nil {
		return nil, fmt.Errorf("operator view: %w", err)
	}
	return views, nil
}

// text returns the text view of one frontend (every one for an empty name).
func (c viewClient) text(ctx context.Context, name string) (string, error) {
	body, err := c.get(ctx, vpp.ViewURL(c.base, name, true))
	return string(body), err
}

func (c viewClient) get(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("operator view: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("operator view: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("operator view: %s: %s", resp.Status, body)
	}
	return body, nil
}
