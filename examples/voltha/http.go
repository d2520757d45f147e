package voltha

import (
	"fmt"
	"net/http"
)

// Handler serves /healthz (200 "ok", or 503 with the reason from [Daemon.Healthy], as a
// Kubernetes liveness probe expects) and /metrics (Prometheus text format: watch restarts,
// relists and give-ups by resource; router sessions, losses and dial errors; syncs, calls,
// query errors and discoveries). It is safe for concurrent use.
func (d *Daemon) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		if err := d.Healthy(); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, _ *http.Request) {
		healthy := 0.0
		if d.Healthy() == nil {
			healthy = 1
		}
		d.metrics.set(mHealthy, healthy)
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		_ = d.metrics.write(w)
	})
	return mux
}
