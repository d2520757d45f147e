package voltha

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"sync"
)

// The metrics, in the order /metrics lists them.
const (
	mWatchRestarts = "voltha_watch_restarts_total"
	mWatchRelists  = "voltha_watch_relists_total"
	mWatchGiveUps  = "voltha_watch_giveups_total"
	mSessions      = "voltha_router_sessions_total"
	mLosses        = "voltha_router_losses_total"
	mDialErrors    = "voltha_router_dial_errors_total"
	mSyncs         = "voltha_syncs_total"
	mSyncErrors    = "voltha_sync_errors_total"
	mCalls         = "voltha_router_calls_total"
	mQueryErrors   = "voltha_core_query_errors_total"
	mDiscoveries   = "voltha_discoveries_total"
	mHandBacks     = "voltha_core_handbacks_total"
	mHealthy       = "voltha_healthy"
)

var metricHelp = []struct{ name, kind, help string }{
	{mWatchRestarts, "counter", "Watch streams re-opened, by resource."},
	{mWatchRelists, "counter", "Relists after 410 Gone, by resource."},
	{mWatchGiveUps, "counter", "Resources the watcher gave up on."},
	{mSessions, "counter", "Sessions started with the router."},
	{mLosses, "counter", "Sessions with the router that ended."},
	{mDialErrors, "counter", "Failed dials of the router."},
	{mSyncs, "counter", "Pushes to the router that succeeded (full or incremental)."},
	{mSyncErrors, "counter", "Pushes to the router that failed and ended their session."},
	{mCalls, "counter", "SetConnection and SetAffinity calls made."},
	{mQueryErrors, "counter", "Calls to cores (ListDeviceIds, ReconcileDevices) that failed or timed out."},
	{mDiscoveries, "counter", "Device discovery events handled."},
	{mHandBacks, "counter", "ReconcileDevices calls that handed a restarted core its devices back."},
	{mHealthy, "gauge", "1 when /healthz answers 200."},
}

// metrics holds the values /metrics serves, by name and resource label ("" for none). It is
// safe for concurrent use.
type metrics struct {
	mu     sync.Mutex
	values map[string]map[string]float64
}

func newMetrics() *metrics {
	m := &metrics{values: map[string]map[string]float64{}}
	for _, h := range metricHelp {
		m.values[h.name] = map[string]float64{}
	}
	for _, name := range []string{mSessions, mLosses, mDialErrors, mSyncs, mSyncErrors, mCalls, mQueryErrors, mDiscoveries, mHandBacks} {
		m.values[name][""] = 0 // unlabelled series exist from the start
	}
	return m
}

func (m *metrics) add(name, resource string, v float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.values[name][resource] += v
}

func (m *metrics) set(name string, v float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.values[name][""] = v
}

func (m *metrics) get(name, resource string) float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.values[name][resource]
}

// write writes every metric in Prometheus' text exposition format.
func (m *metrics) write(w io.Writer) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, h := range metricHelp {
		if _, err := fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", h.name, h.help, h.name, h.kind); err != nil {
			return err
		}
		for _, res := range slices.Sorted(maps.Keys(m.values[h.name])) {
			label := ""
			if res != "" {
				label = fmt.Sprintf("{resource=%q}", res)
			}
			if _, err := fmt.Fprintf(w, "%s%s %g\n", h.name, label, m.values[h.name][res]); err != nil {
				return err
			}
		}
	}
	return nil
}
