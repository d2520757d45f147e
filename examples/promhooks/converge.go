package promhooks

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/steadfast-go/steadfast/reconcile/converge"
)

// Converge registers <prefix>_creates_total and _destroys_total by result (ok, error),
// _waits_total (waits for pending resources) and _passes_total, and returns the
// converge.Hooks that count them.
func Converge(reg prometheus.Registerer, prefix string) (converge.Hooks, error) {
	creates := counterVec(prefix+"_creates_total", "Create calls, by result.", "result")
	destroys := counterVec(prefix+"_destroys_total", "Destroy calls, by result.", "result")
	waits := counter(prefix+"_waits_total", "Waits for pending resources.")
	passes := counter(prefix+"_passes_total", "Passes planned.")
	if err := register(reg, creates, destroys, waits, passes); err != nil {
		return converge.Hooks{}, err
	}
	return converge.Hooks{
		OnCreate:  func(_ string, err error) { creates.WithLabelValues(result(err)).Inc() },
		OnDestroy: func(_ string, err error) { destroys.WithLabelValues(result(err)).Inc() },
		OnWait:    func(converge.WaitInfo) { waits.Inc() },
		OnPass:    func(converge.PassInfo) { passes.Inc() },
	}, nil
}

func result(err error) string {
	if err != nil {
		return "error"
	}
	return "ok"
}
