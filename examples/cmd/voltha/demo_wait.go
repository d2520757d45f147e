package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/steadfast-go/steadfast/examples/voltha"
)

// converge waits until the router holds want, prints it and says so; or fails after 10s.
func (s *stage) converge(ctx context.Context, step string, want voltha.Table) error {
	start := time.Now()
	err := s.until(ctx, func() bool { return s.router.Table().String() == want.RouterView().String() })
	if err != nil {
		return fmt.Errorf("%s: the router holds\n%swant\n%s", step, s.router.Table(), want.RouterView())
	}
	fmt.Printf("== %s (converged in %v)\n%s", step, time.Since(start).Round(time.Millisecond), indent(s.router.Table().String()))
	return nil
}

// until polls cond every 10 ms until it holds, or fails after 10 s.
func (s *stage) until(ctx context.Context, cond func() bool) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-tick.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func indent(s string) string {
	var b strings.Builder
	for line := range strings.Lines(s) {
		b.WriteString("   " + line)
	}
	return b.String()
}

// get fetches a path of the daemon's endpoints.
func (s *stage) get(path string) (int, string) {
	resp, err := http.Get(s.web + path)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}
