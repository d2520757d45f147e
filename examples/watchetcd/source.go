package watchetcd

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"go.etcd.io/etcd/api/v3/mvccpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	apiwatch "k8s.io/apimachinery/pkg/watch"

	"github.com/steadfast-go/steadfast/watch"
)

// ValueKey is the ConfigMap data key that holds a key's value (BinaryData when it is not UTF-8).
const ValueKey = "value"

// pageSize is how many keys one range request of a list reads.
const pageSize = 500

// Source is the keys under one prefix of an etcd keyspace as a [watch.Source] and, with
// [Source.List], a [watch.ListFunc]. See the package doc for what it maps.
type Source struct {
	client        *clientv3.Client
	prefix        string
	bookmarks     bool
	noLeaderError bool
}

// Option configures a [Source].
type Option func(*Source)

// WithProgressNotify asks etcd for progress notifications on every watch that allows
// bookmarks, and turns each into a Bookmark event (see the package doc).
func WithProgressNotify() Option { return func(s *Source) { s.bookmarks = true } }

// WithNoLeaderAsError makes a watch that etcd ends for want of a leader send a 500
// InternalError error event before it closes, as kube-apiserver's etcd watcher does, instead
// of closing with no event (see the package doc).
func WithNoLeaderAsError() Option { return func(s *Source) { s.noLeaderError = true } }

var (
	_ watch.Source   = (*Source)(nil)
	_ watch.ListFunc = (*Source)(nil).List
)

// New returns the keys of c under prefix as a Source.
func New(c *clientv3.Client, prefix string, opts ...Option) *Source {
	s := &Source{client: c, prefix: prefix}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Object makes a key-value into the object the Source delivers, its resourceVersion rev.
func (s *Source) Object(kv *mvccpb.KeyValue, rev int64) *corev1.ConfigMap {
	cm := &corev1.ConfigMap{
		TypeMeta: metav1.TypeMeta{Kind: "ConfigMap", APIVersion: "v1"},
		ObjectMeta: metav1.ObjectMeta{
			Name:            strings.TrimPrefix(string(kv.Key), s.prefix),
			ResourceVersion: strconv.FormatInt(rev, 10),
		},
	}
	if utf8.Valid(kv.Value) {
		cm.Data = map[string]string{ValueKey: string(kv.Value)}
	} else {
		cm.BinaryData = map[string][]byte{ValueKey: kv.Value}
	}
	return cm
}

// List reads every key under the prefix at one revision, in pages, and returns them with that
// revision as the list's resourceVersion. It takes ResourceVersion "" only (a linearizable
// read of the latest revision, what the Watcher asks), and no selector.
func (s *Source) List(ctx context.Context, opts metav1.ListOptions) ([]runtime.Object, string, error) {
	if err := checkOptions(opts); err != nil {
		return nil, "", err
	}
	if opts.ResourceVersion != "" {
		return nil, "", apierrors.NewBadRequest("watchetcd: a list takes resourceVersion \"\" only")
	}
	var (
		out []runtime.Object
		rev int64
		key = s.prefix
		end = clientv3.GetPrefixRangeEnd(s.prefix)
	)
	for {
		ops := []clientv3.OpOption{clientv3.WithRange(end), clientv3.WithLimit(pageSize)}
		if rev != 0 {
			ops = append(ops, clientv3.WithRev(rev)) // every page at the first page's revision
		}
		resp, err := s.client.Get(ctx, key, ops...)
		if err != nil {
			return nil, "", statusError(ctx, err)
		}
		if rev == 0 {
			rev = resp.Header.Revision
		}
		for _, kv := range resp.Kvs {
			out = append(out, s.Object(kv, kv.ModRevision))
		}
		if !resp.More || len(resp.Kvs) == 0 {
			return out, strconv.FormatInt(rev, 10), nil
		}
		key = string(resp.Kvs[len(resp.Kvs)-1].Key) + "\x00"
	}
}

// Watch opens a watch of the prefix from opts.ResourceVersion: the events after that revision.
// From "" or "0" it first sends an Added event for every key, as the API server does, and
// watches from the revision it read them at.
func (s *Source) Watch(ctx context.Context, opts metav1.ListOptions) (apiwatch.Interface, error) {
	if err := checkOptions(opts); err != nil {
		return nil, err
	}
	var (
		rev     int64
		initial []runtime.Object
	)
	switch opts.ResourceVersion {
	case "", "0":
		objs, rv, err := s.List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, err
		}
		initial = objs
		rev, _ = strconv.ParseInt(rv, 10, 64)
	default:
		r, err := strconv.ParseInt(opts.ResourceVersion, 10, 64)
		if err != nil || r < 0 {
			return nil, apierrors.NewBadRequest("watchetcd: resourceVersion " + strconv.Quote(opts.ResourceVersion) + " is not a revision")
		}
		rev = r
	}
	// A watch requires a leader, as the API server's do: a member that has none (or loses it)
	// ends the watch instead of keeping it open on a stale view.
	wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
	wops := []clientv3.OpOption{clientv3.WithPrefix(), clientv3.WithRev(rev + 1), clientv3.WithPrevKV()}
	bookmarks := s.bookmarks && opts.AllowWatchBookmarks
	if bookmarks {
		wops = append(wops, clientv3.WithProgressNotify())
	}
	st := &stream{
		src:       s,
		ctx:       wctx,
		cancel:    cancel,
		result:    make(chan apiwatch.Event),
		bookmarks: bookmarks,
		last:      rev,
	}
	wch := s.client.Watch(wctx, s.prefix, wops...)
	go st.run(wch, initial)
	return st, nil
}

// stream is one open watch; its goroutine closes result when the etcd watch ends or Stop is
// called.
type stream struct {
	src       *Source
	ctx       context.Context
	cancel    context.CancelFunc
	stopOnce  sync.Once
	result    chan apiwatch.Event
	bookmarks bool
	last      int64 // the highest revision sent: a progress notification below it is dropped
}

func (st *stream) ResultChan() <-chan apiwatch.Event { return st.result }

// Stop ends the watch; the result channel closes once the goroutine has seen it.
func (st *stream) Stop() { st.stopOnce.Do(st.cancel) }

func (st *stream) send(ev apiwatch.Event) bool {
	select {
	case st.result <- ev:
		return true
	case <-st.ctx.Done():
		return false
	}
}

func (st *stream) run(wch clientv3.WatchChan, initial []runtime.Object) {
	defer close(st.result)
	defer st.cancel() // the etcd watch ends with the stream, whoever ended it
	for _, o := range initial {
		if !st.send(apiwatch.Event{Type: apiwatch.Added, Object: o}) {
			return
		}
	}
	for {
		var (
			resp clientv3.WatchResponse
			ok   bool
		)
		select {
		case <-st.ctx.Done():
			return
		case resp, ok = <-wch:
		}
		if !ok {
			return
		}
		if err := resp.Err(); err != nil {
			if errors.Is(err, rpctypes.ErrNoLeader) && !st.src.noLeaderError {
				return // a member that is starting, or lost its quorum: come back
			}
			if st.ctx.Err() == nil {
				st.send(apiwatch.Event{Type: apiwatch.Error, Object: status(err)})
			}
			return
		}
		if resp.IsProgressNotify() {
			if rev := resp.Header.Revision; st.bookmarks && rev > st.last {
				st.last = rev
				bm := &corev1.ConfigMap{
					TypeMeta:   metav1.TypeMeta{Kind: "ConfigMap", APIVersion: "v1"},
					ObjectMeta: metav1.ObjectMeta{ResourceVersion: strconv.FormatInt(rev, 10)},
				}
				if !st.send(apiwatch.Event{Type: apiwatch.Bookmark, Object: bm}) {
					return
				}
			}
			continue
		}
		for _, ev := range resp.Events {
			if !st.send(st.event(ev)) {
				return
			}
			st.last = max(st.last, ev.Kv.ModRevision)
		}
	}
}

// event maps an etcd event: a put is Added when it created the key (its create revision is
// its mod revision), Modified otherwise; a delete is Deleted with the value the key had.
func (st *stream) event(ev *clientv3.Event) apiwatch.Event {
	rev := ev.Kv.ModRevision
	switch {
	case ev.Type == clientv3.EventTypeDelete:
		kv := ev.PrevKv
		if kv == nil { // the previous version was compacted away: the key alone
			kv = &mvccpb.KeyValue{Key: ev.Kv.Key}
		}
		return apiwatch.Event{Type: apiwatch.Deleted, Object: st.src.Object(kv, rev)}
	case ev.IsCreate():
		return apiwatch.Event{Type: apiwatch.Added, Object: st.src.Object(ev.Kv, rev)}
	default:
		return apiwatch.Event{Type: apiwatch.Modified, Object: st.src.Object(ev.Kv, rev)}
	}
}

func checkOptions(opts metav1.ListOptions) error {
	if opts.LabelSelector != "" || opts.FieldSelector != "" {
		return apierrors.NewBadRequest("watchetcd: selectors are not supported")
	}
	return nil
}

// status is the Status the API server reports for an etcd error: 410 Expired for a
// compacted revision, 500 InternalError for anything else.
func status(err error) *metav1.Status { return &toAPI(err).ErrStatus }

// statusError is the error a failed request returns: the context's own error when it ended,
// the API server's Status otherwise.
func statusError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return toAPI(err)
}

func toAPI(err error) *apierrors.StatusError {
	if errors.Is(err, rpctypes.ErrCompacted) {
		return apierrors.NewResourceExpired("The resourceVersion for the provided watch is too old.")
	}
	return apierrors.NewInternalError(err)
}
