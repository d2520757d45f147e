package voltha

import "testing"

// Series the internal tests read.
const (
	mWatchRestarts = "voltha_watch_restarts_total"
	mWatchRelists  = "voltha_watch_relists_total"
	mWatchGiveUps  = "voltha_watch_giveups_total"
	mSessions      = "voltha_router_sessions_total"
)

// get gathers the registry and returns the counter name (with resource as its resource label,
// or unlabelled if ""), or -1 if the series is absent.
func (m *metrics) get(name, resource string) float64 {
	fams, err := m.reg.Gather()
	if err != nil {
		panic(err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, s := range f.GetMetric() {
			res := ""
			for _, l := range s.GetLabel() {
				if l.GetName() == "resource" {
					res = l.GetValue()
				}
			}
			if res == resource {
				return s.GetCounter().GetValue()
			}
		}
	}
	return -1
}

func TestTheDaemonsMetricsExistFromTheStart(t *testing.T) {
	m, err := newMetrics(func() bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{mSessions, "voltha_syncs_total", "voltha_router_queue_adds_total", "voltha_core_query_errors_total"} {
		if v := m.get(name, ""); v != 0 {
			t.Errorf("%s = %v, want 0 before anything happened", name, v)
		}
	}
	if v := m.get(mWatchRestarts, ResourcePods); v != -1 {
		t.Errorf("a labelled series appears at its first event, got %v", v)
	}
}
