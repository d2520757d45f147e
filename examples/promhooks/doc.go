// Package promhooks feeds Prometheus metrics (github.com/prometheus/client_golang) from the
// library's hooks, for every example; the library itself imports no metrics library.
//
// There is one function per Hooks type of the library: [Backoff], [Watch], [Connctx], [Run],
// [Queue] and [Converge]. Each registers its series in a prometheus.Registerer, named from a prefix
// ("voltha_router" gives voltha_router_sessions_total), and returns the Hooks struct that
// feeds them, to pass to that package's WithHooks. The rules:
//
//   - Every series exists from registration, at zero; labelled ones (by resource, by outcome)
//     appear at their first event.
//   - A name already registered is an error (prometheus.AlreadyRegisteredError), and nothing is
//     registered then: use one prefix per loop.
//   - The hooks are safe for concurrent use and never block: they only add to counters and
//     histograms, so they may be called with a queue's lock held.
//   - [Queue]'s gauges (depth, waiting, in flight, longest running, unfinished work) are read
//     from a QueueStats function when the registry is scraped, as client-go's workqueue
//     reports them; the longest running and unfinished work are zero unless the queue has the
//     hooks [Queue] returns, since only then does it read the clock.
//
// [Handler] serves a registry's /metrics; [Serve] and [Start] serve it on a listener or an
// address, for the cmd programs' -metrics flag. The library's Hooks fields replace each other
// (a later WithHooks wins per field), so code that also logs from a hook calls the returned
// one from its own.
package promhooks
