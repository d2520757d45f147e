package promhooks

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/steadfast-go/steadfast/reconcile"
)

// statsCollector reads a queue's gauges from its stats function at each scrape.
type statsCollector struct {
	prefix string
	stats  func() reconcile.QueueStats
}

var statsHelp = []struct{ name, help string }{
	{"depth", "Keys queued and ready to be handed out."},
	{"waiting", "Keys waiting for a time: an AddAfter or a retry's backoff."},
	{"in_flight", "Keys handed out and not yet done."},
	{"longest_running_seconds", "How long the oldest key in flight has been processed."},
	{"unfinished_work_seconds", "How long the keys in flight have been processed, summed."},
}

func (c statsCollector) desc(i int) *prometheus.Desc {
	return prometheus.NewDesc(c.prefix+statsHelp[i].name, statsHelp[i].help, nil, nil)
}

// Describe sends the gauges' descriptions.
func (c statsCollector) Describe(ch chan<- *prometheus.Desc) {
	for i := range statsHelp {
		ch <- c.desc(i)
	}
}

// Collect reads the stats once and sends every gauge.
func (c statsCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.stats()
	values := []float64{float64(st.Queued), float64(st.Waiting), float64(st.InFlight),
		st.LongestRunning.Seconds(), st.UnfinishedWork.Seconds()}
	for i, v := range values {
		ch <- prometheus.MustNewConstMetric(c.desc(i), prometheus.GaugeValue, v)
	}
}
