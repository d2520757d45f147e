package vpp

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// answerWith returns a dial function whose connections read one request and answer it with
// raw, then close; wait waits for every answering goroutine to end.
func answerWith(raw []byte) (dial dialFunc, wait func()) {
	var wg sync.WaitGroup
	dial = func(ctx context.Context, _, _ string) (net.Conn, error) {
		client, server := net.Pipe()
		wg.Go(func() {
			defer server.Close()
			_ = server.SetDeadline(time.Now().Add(5 * time.Second))
			if _, err := http.ReadRequest(bufio.NewReader(server)); err != nil {
				return
			}
			_, _ = server.Write(raw)
		})
		return client, nil
	}
	return dial, wg.Wait
}

// FuzzProbeHTTPResponse feeds the HTTP health check arbitrary answers. It must never panic
// nor hang, and it must judge like the rule says: a check passes exactly when the answer
// reads as an HTTP response with a final status from 200 to 399.
func FuzzProbeHTTPResponse(f *testing.F) {
	for _, seed := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
		"HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\n\r\n",
		"HTTP/1.1 503 Service Unavailable\r\n\r\n",
		"HTTP/1.0 204 No Content\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 99999\r\n\r\nshort",
		"HTTP/1.1 99 Odd\r\n\r\n",
		"SSH-2.0-OpenSSH_9.6\r\n",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		dial, wait := answerWith(raw)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := probeHTTP(ctx, dial, "192.0.2.1:80", "/healthz")
		wait()
		resp, perr := http.ReadResponse(bufio.NewReader(bytes.NewReader(raw)), nil)
		if perr != nil {
			assert.Error(t, err, "an answer that is no HTTP response fails the check")
			return
		}
		_ = resp.Body.Close()
		if resp.StatusCode < 200 {
			return // informational: the client reads on for the final answer, which raw may or may not hold
		}
		pass := resp.StatusCode <= 399
		assert.Equal(t, pass, err == nil, "status %d: err %v", resp.StatusCode, err)
	})
}
