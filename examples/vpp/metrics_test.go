package vpp_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/examples/promhooks"
	"github.com/steadfast-go/steadfast/examples/vpp"
)

// scrapeSeries serves reg's /metrics to a recorder and returns the value of the series
// matching re (a whole series name with its labels), or -1.
func scrapeSeries(t *testing.T, reg *prometheus.Registry, re string) float64 {
	t.Helper()
	rec := httptest.NewRecorder()
	promhooks.Handler(reg).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	m := regexp.MustCompile(`(?m)^` + re + ` (\S+)$`).FindStringSubmatch(rec.Body.String())
	if m == nil {
		return -1
	}
	v, err := strconv.ParseFloat(m[1], 64)
	require.NoError(t, err)
	return v
}

func TestController_MetricsCountSyncsRetriesAndTheDataplaneSession(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := prometheus.NewRegistry()
		h := newHarness()
		h.extra = []vpp.Option{vpp.WithMetrics(reg)}
		h.start(t, h.prober)
		done := scrapeSeries(t, reg, `vpp_syncs_total\{outcome="done"\}`)
		assert.Equal(t, float64(h.syncCount()), done, "one per successful sync")
		assert.GreaterOrEqual(t, done, float64(len(h.cfg.Frontends)), "every frontend synced")
		assert.Equal(t, 1.0, scrapeSeries(t, reg, `vpp_dataplane_sessions_total`))

		h.mem.FailNext(3, errors.New("VNET_API_ERROR_SYSCALL_ERROR_1"))
		h.prober.set("a", errRefused)
		tick(2)
		time.Sleep(100 * time.Millisecond)
		synctest.Wait()
		assert.Equal(t, 3.0, scrapeSeries(t, reg, `vpp_syncs_total\{outcome="retry"\}`), "three refused syncs")
		assert.Equal(t, 3.0, scrapeSeries(t, reg, `vpp_queue_retries_total`))
		assert.Equal(t, float64(h.syncCount()), scrapeSeries(t, reg, `vpp_syncs_total\{outcome="done"\}`), "then one that succeeded")
		assert.Greater(t, float64(h.syncCount()), done)
		assert.Equal(t, 0.0, scrapeSeries(t, reg, `vpp_queue_depth`))
		require.NoError(t, h.stop())
		assert.Equal(t, 1.0, scrapeSeries(t, reg, `vpp_dataplane_losses_total`), "the session ended with Run")
	})
}

func TestController_WithMetricsTwiceInOneRegistryIsAnError(t *testing.T) {
	reg := prometheus.NewRegistry()
	dial := vpp.NewMemDataplane().Dial
	_, err := vpp.New(validConfig(), dial, vpp.WithMetrics(reg))
	require.NoError(t, err)
	_, err = vpp.New(validConfig(), dial, vpp.WithMetrics(reg))
	var already prometheus.AlreadyRegisteredError
	assert.ErrorAs(t, err, &already)
}
