package voltha

import (
	"context"
	"fmt"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/steadfast-go/steadfast/examples/voltha/afrouterpb"
)

// push makes the calls of c, connections first, each under the RPC timeout.
func (s *session) push(ctx context.Context, c Changes) error {
	names := s.d.cfg.layout.Names
	for _, x := range c.Connections {
		msg, err := names.ConnRequest(x)
		if err != nil {
			return fmt.Errorf("set connection %s/%s: %w", x.Backend, x.Name, err)
		}
		if err := s.call(ctx, func(ctx context.Context) (*afrouterpb.Result, error) {
			return s.client.SetConnection(ctx, msg)
		}); err != nil {
			return fmt.Errorf("set connection %s/%s: %w", x.Backend, x.Name, err)
		}
	}
	for _, a := range c.Affinities {
		msg := names.AffinityRequest(a)
		if err := s.call(ctx, func(ctx context.Context) (*afrouterpb.Result, error) {
			return s.client.SetAffinity(ctx, msg)
		}); err != nil {
			return fmt.Errorf("set affinity %s: %w", a.Device, err)
		}
	}
	return nil
}

// call makes one call under the RPC timeout; a refusal is an error, but for the router's
// refusal to set a connection to the values it has (see unchanged).
func (s *session) call(ctx context.Context, fn func(context.Context) (*afrouterpb.Result, error)) error {
	ctx, cancel := context.WithTimeout(ctx, s.d.cfg.rpcTimeout)
	defer cancel()
	res, err := fn(ctx)
	if unchanged(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if !res.GetSuccess() {
		return fmt.Errorf("refused: %s", res.GetError())
	}
	return nil
}

// unchanged reports whether err is the afrouter's refusal to set a connection to the address
// and port it has: a call that changes nothing succeeded. The router tells it only in words,
// with an error of code Unknown: "Refusing to change connection '<name>' to identical values".
func unchanged(err error) bool {
	st, ok := status.FromError(err)
	return err != nil && ok && st.Code() == codes.Unknown && strings.Contains(st.Message(), "to identical values")
}
