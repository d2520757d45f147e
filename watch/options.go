package watch

import (
	"time"

	"github.com/steadfast-go/steadfast/internal/hookset"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/steadfast-go/steadfast/backoff"
)

// Option configures a [Watcher]; pass options to [New].
type Option func(*config)

type config struct {
	policy      backoff.Policy
	idle        time.Duration
	hooks       Hooks
	keepRunning bool
}

// WithPolicy sets the backoff between failed attempts of each resource. Each resource has two
// schedules of this policy: one for its streams (failed opens, error events, failed lists,
// quick closes, relists expired again), reset when a stream delivers an event or a bookmark
// that moves the resume point, and one for its handler's failures on one event, reset when the
// handler acknowledges it. The policy's MaxElapsed is how long either may fail in a row before
// the resource gives up. The zero Policy, the default, means backoff's
// defaults (500ms doubling to 30s, 5 minutes). An invalid policy makes Run return its error.
func WithPolicy(p backoff.Policy) Option { return func(c *config) { c.policy = p } }

// WithIdleTimeout re-opens a stream that sent no event and no bookmark for d (the API server
// sends a bookmark about every minute when asked, which the Watcher does). Zero, the default,
// means no idle timeout. The time a handler takes does not count.
func WithIdleTimeout(d time.Duration) Option { return func(c *config) { c.idle = max(d, 0) } }

// Restart describes a stream that ended and is about to be re-opened; [Hooks.OnRestart] receives it.
type Restart struct {
	Resource string
	// Err is why the stream ended or failed to open; nil for a normal close.
	Err error
	// Delay is the wait before re-opening: zero after a normal close or an idle timeout.
	Delay time.Duration
	// Attempt counts the stream's failures in a row (see [WithPolicy]); a normal close adds none.
	Attempt int
}

// Relist describes the start of a relist after 410 Gone; [Hooks.OnRelist] receives it.
type Relist struct {
	Resource string
	// Err is the 410 that caused it.
	Err error
	// Listed is true when the resource has a list function ([WithList]); false when it restarts
	// from resourceVersion "" and tells the handler (see [Resyncer]).
	Listed bool
}

// Hooks are the functions a [Watcher] calls to report what its resources do, for metrics and
// logs. Each is optional: a nil field is absent, and the zero Hooks reports nothing. They are
// called on the resource's goroutine, between events, and must not block: they delay the
// resource. A hook that panics is treated like a panicking handler (see the package doc).
type Hooks struct {
	// OnRestart is called before every re-open of a stream.
	OnRestart func(Restart)
	// OnRelist is called when a resource begins a relist after 410 Gone.
	OnRelist func(Relist)
	// OnGiveUp is called when a resource gives up, before Run stops the others and returns
	// the error.
	OnGiveUp func(*GiveUpError)
}

// WithHooks sets the functions the Watcher calls to report what it does. Several WithHooks
// combine: each non-nil field replaces the one set before it, and a nil field leaves it.
func WithHooks(h Hooks) Option {
	return func(c *config) {
		hookset.Combine(&c.hooks, h)
	}
}

// WithKeepRunning makes a resource that gives up stop alone, as kuryr-kubernetes' Watcher
// does: the others keep watching, [Watcher.Healthy] reports false, [Hooks.OnGiveUp] is called,
// and Run goes on until its context ends (it then returns nil). A resource that gave up stays
// failed until the next Run, or until it is removed and added again. Without it, the default,
// the first resource that gives up stops them all and Run returns its error. A panic stops
// them all either way.
func WithKeepRunning() Option { return func(c *config) { c.keepRunning = true } }

// ResourceOption configures one resource; pass options to [Watcher.Add].
type ResourceOption func(*resourceConfig)

type resourceConfig struct {
	list   ListFunc
	base   metav1.ListOptions
	rv     string
	listed runtime.Object
	start  bool // WithListed was given, listed nil or not
	cache  cacheStore
	stream bool
}

// WithList gives the resource a list function. A resource with one starts as client-go's
// Reflector does: unless [WithResourceVersion] or [WithListed] says where to start, it lists,
// delivers every object as Added, then watches from the list's resourceVersion; the resource is
// synced once that watch is open (see [Watcher.Synced] and [Syncer]). After 410 Gone it lists
// again, delivers the objects that are new (Added) or changed (Modified) since it delivered
// them, delivers a synthetic Deleted event (its object a [*Tombstone]) for each object
// delivered before that is gone, then watches from the list's resourceVersion.
//
// To know what was delivered before, the resource keeps the namespace, the name and the
// resourceVersion of every live object it delivered: about 100 bytes plus their lengths per
// object, kept as long as the resource is; with [WithCache], the cache is what it keeps.
// Without WithList, nothing is kept and a 410 restarts the watch from "" (see [Resyncer]).
func WithList(fn ListFunc) ResourceOption { return func(r *resourceConfig) { r.list = fn } }

// WithListOptions sets the options every Watch and list call starts from (label and field
// selectors, a timeout). The Watcher sets ResourceVersion, AllowWatchBookmarks,
// ResourceVersionMatch and SendInitialEvents itself: for the streaming list, see
// [WithStreamingList].
func WithListOptions(opts metav1.ListOptions) ResourceOption {
	return func(r *resourceConfig) { r.base = opts }
}

// WithResourceVersion sets the resourceVersion the first watch starts from, such as one
// persisted by an earlier process. The default is "": with [WithList] the resource lists first;
// without, the API server first sends an Added event for every existing object.
//
// The objects that exist at rv were not delivered by this Watcher, so it does not know them: a
// relist after 410 sends no Tombstone for one that is gone by then, and a [Cache] lacks them.
// A caller that listed them itself gives the list with [WithListed] instead.
func WithResourceVersion(rv string) ResourceOption { return func(r *resourceConfig) { r.rv = rv } }

// WithListed starts the resource from a list the caller made (a *v1.PodList, say): the first
// watch starts from the list's resourceVersion, and with [WithList] the list's objects count as
// delivered, so a relist sends a Tombstone for those that are gone, and a [Cache] holds them
// from the start. They are not handed to the handler. Add returns an [ErrMalformed] error for a
// list that is nil, or whose resourceVersion (or, with WithList, items) cannot be read. It
// replaces [WithResourceVersion].
func WithListed(list runtime.Object) ResourceOption {
	return func(r *resourceConfig) { r.listed, r.start = list, true }
}

// WithStreamingList makes a resource with [WithList] read its state by the streaming list
// instead of a list call, where the server has it (Kubernetes' WatchList): a watch with
// SendInitialEvents, ResourceVersionMatch NotOlderThan and bookmarks, which sends every object
// and then a bookmark annotated k8s.io/initial-events-end, and goes on watching from there.
// The objects are delivered as a list's are (Added, Modified, nothing for what the handler
// has, a Tombstone for what is gone once the bookmark comes), the resource is synced at the
// bookmark, and the resume point moves only then. A server that answers 400 or 422 does not
// have it: the resource lists instead, in the same attempt, and for the rest of its life.
// It is not the default because a source that ignores the parameters (client-go's fake
// clientset does) never sends the bookmark, and the resource would never sync.
func WithStreamingList() ResourceOption { return func(r *resourceConfig) { r.stream = true } }

// WithCache keeps the resource's objects in c, updated before the handler sees each event
// (see [Cache]). It needs [WithList], which fills the cache at the start and after every 410:
// Add returns an error without it, and for a Cache that is already another resource's. The
// cache is the record of what was delivered, so no other is kept.
func WithCache[T Object](c *Cache[T]) ResourceOption {
	return func(r *resourceConfig) {
		if c != nil {
			r.cache = c
		}
	}
}
