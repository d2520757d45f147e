package volthatest_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/examples/voltha"
	"github.com/steadfast-go/steadfast/examples/voltha/volthatest"
)

func TestACoreAnswersAtItsAddressOverTheCoreAPIAndTakesUpWhatItIsHanded(t *testing.T) {
	cores := &volthatest.Cores{}
	t.Cleanup(cores.Close)
	api := voltha.NewCoreAPI(cores.DialOption())
	core := voltha.Pod{Name: "rw-core1-0", Addr: "10.0.0.1:50057"}
	cores.Set(core.Name, core.Addr, "olt-1")

	devs, err := api.Devices(t.Context(), core)
	require.NoError(t, err)
	assert.Equal(t, []string{"olt-1"}, devs)

	cores.Replace(core.Name, "10.0.0.2:50057")
	_, err = api.Devices(t.Context(), core)
	assert.Error(t, err, "nothing at the old address")
	core.Addr = "10.0.0.2:50057"
	devs, err = api.Devices(t.Context(), core)
	require.NoError(t, err)
	assert.Empty(t, devs, "a replaced core holds nothing")

	require.NoError(t, api.Reconcile(t.Context(), core, []string{"olt-1", "olt-2"}))
	assert.Equal(t, []string{"olt-1", "olt-2"}, cores.Held(core.Name))
	assert.Equal(t, [][]string{{"olt-1", "olt-2"}}, cores.Reconciles(core.Name))
	assert.Equal(t, 2, cores.Calls(), "ListDeviceIds calls answered")
}

func TestAHungCoreAnswersWhenTheCallsDeadlinePasses(t *testing.T) {
	cores := &volthatest.Cores{}
	t.Cleanup(cores.Close)
	cores.Set("rw-core1-0", "10.0.0.1:50057")
	cores.Hang("rw-core1-0")
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := voltha.NewCoreAPI(cores.DialOption()).Devices(ctx, voltha.Pod{Name: "rw-core1-0", Addr: "10.0.0.1:50057"})
	assert.Error(t, err)
}
