package voltha

import (
	"fmt"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/steadfast-go/steadfast/examples/promhooks"
)

// Handler serves /healthz (200 "ok", or 503 with the reason from [Daemon.Healthy], as a
// Kubernetes liveness probe expects) and /metrics ([Daemon.Registry] through promhttp: watch
// restarts, relists and give-ups by resource; router sessions, losses, dial errors and how
// long sessions lasted; the sessions' syncs by outcome and their queue; pushes, calls, query
// errors, discoveries and hand-backs; health). It is safe for concurrent use.
func (d *Daemon) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		if err := d.Healthy(); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("GET /metrics", promhooks.Handler(d.metrics.reg))
	return mux
}

// Registry returns the registry of the daemon's metrics, which [Daemon.Handler] serves at
// /metrics, to serve or gather elsewhere.
func (d *Daemon) Registry() *prometheus.Registry { return d.metrics.reg }
