package voltha

import (
	"context"
	"fmt"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/steadfast-go/steadfast/examples/voltha/corepb"
)

// CoreAPI asks VOLTHA cores over their gRPC API, voltha.VolthaService, as the origin did:
// [CoreAPI.Devices] calls ListDeviceIds, [CoreAPI.Reconcile] calls ReconcileDevices. Each call
// opens a connection to the core's address, makes the call under the caller's context and
// closes the connection. Make one with [NewCoreAPI]; the zero CoreAPI dials with plaintext
// credentials and nothing else. It is safe for concurrent use.
type CoreAPI struct {
	opts []grpc.DialOption
}

var (
	_ Cores      = CoreAPI{}
	_ Reconciler = CoreAPI{}
)

// NewCoreAPI returns a CoreAPI that adds opts to the options of every connection it opens
// (a dialer, credentials).
func NewCoreAPI(opts ...grpc.DialOption) CoreAPI { return CoreAPI{opts: opts} }

// Devices returns the IDs of the devices the core holds, as ListDeviceIds answers them, in
// its order, empty IDs left out.
func (c CoreAPI) Devices(ctx context.Context, core Pod) ([]string, error) {
	var ids *corepb.IDs
	err := c.call(core, func(client corepb.VolthaServiceClient) (err error) {
		ids, err = client.ListDeviceIds(ctx, &emptypb.Empty{})
		return err
	})
	if err != nil {
		return nil, err
	}
	return DeviceIDs(ids), nil
}

// Reconcile asks the core, with ReconcileDevices, to take up devices.
func (c CoreAPI) Reconcile(ctx context.Context, core Pod, devices []string) error {
	ids := &corepb.IDs{}
	for _, d := range devices {
		ids.Items = append(ids.Items, &corepb.ID{Id: d})
	}
	return c.call(core, func(client corepb.VolthaServiceClient) error {
		_, err := client.ReconcileDevices(ctx, ids)
		return err
	})
}

// call opens a connection to core, runs fn on it and closes it.
func (c CoreAPI) call(core Pod, fn func(corepb.VolthaServiceClient) error) error {
	opts := append([]grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}, c.opts...)
	cc, err := grpc.NewClient("passthrough:///"+core.Addr, opts...)
	if err != nil {
		return fmt.Errorf("core %s: %w", core.Name, err)
	}
	defer cc.Close()
	if err := fn(corepb.NewVolthaServiceClient(cc)); err != nil {
		return fmt.Errorf("core %s at %s: %w", core.Name, core.Addr, err)
	}
	return nil
}

// DeviceIDs returns the device IDs of a ListDeviceIds answer, in its order, with empty and
// repeated IDs left out. A nil answer has none.
func DeviceIDs(ids *corepb.IDs) []string {
	var out []string
	seen := map[string]bool{}
	for _, id := range ids.GetItems() {
		if d := id.GetId(); d != "" && !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}
