package watch

import (
	"context"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	apiwatch "k8s.io/apimachinery/pkg/watch"
)

// Source opens a watch stream. Every client-go typed client has this method
// (clientset.CoreV1().Pods(ns) is a Source as it is), and so does a dynamic client's resource.
//
// The [Watcher] calls Watch with the options given by [WithListOptions], ResourceVersion set to
// where it resumes and AllowWatchBookmarks set. As watch.Interface requires, the stream's Stop
// must close its result channel (every client-go and apimachinery stream does): the Watcher
// reads the channel with a plain receive, and ends a stream (when it stops, or on an idle
// timeout) by calling Stop and waiting for the channel to close. It calls each stream's Stop
// exactly once, also for a stream Watch returned together with an error. Watch is called from the
// resource's own goroutine only, never concurrently for one resource.
type Source interface {
	Watch(ctx context.Context, opts metav1.ListOptions) (apiwatch.Interface, error)
}

// SourceFunc adapts a function to a [Source].
type SourceFunc func(ctx context.Context, opts metav1.ListOptions) (apiwatch.Interface, error)

var _ Source = SourceFunc(nil)

// Watch calls f.
func (f SourceFunc) Watch(ctx context.Context, opts metav1.ListOptions) (apiwatch.Interface, error) {
	return f(ctx, opts)
}

// ListFunc lists a resource, at the start and for a relist after 410 Gone: it returns the objects (each with its
// metadata and resourceVersion) and the list's resourceVersion, from which the watch resumes.
// The [Watcher] calls it with the resource's list options and ResourceVersion "" (a consistent,
// up-to-date read). Give it with [WithList]; [ListerOf] adapts a typed client's List.
type ListFunc func(ctx context.Context, opts metav1.ListOptions) ([]runtime.Object, string, error)

// ListerOf adapts a typed List method (clientset.CoreV1().Pods(ns).List, returning a
// *v1.PodList) to a [ListFunc]. It extracts the items with apimachinery's
// meta.ExtractListWithAlloc, which copies each item out of the list's Items, as client-go's
// Reflector does, so that an object a [Cache] keeps does not keep the whole list alive; and it
// returns the list's resourceVersion.
func ListerOf[L runtime.Object](list func(context.Context, metav1.ListOptions) (L, error)) ListFunc {
	return func(ctx context.Context, opts metav1.ListOptions) ([]runtime.Object, string, error) {
		l, err := list(ctx, opts)
		if err != nil {
			return nil, "", err
		}
		if isNil(l) { // the accessors below would dereference it
			return nil, "", malformedf("List returned neither a list nor an error")
		}
		items, err := meta.ExtractListWithAlloc(l)
		if err != nil {
			return nil, "", malformedf("%T: %w", l, err)
		}
		acc, err := meta.ListAccessor(l)
		if err != nil {
			return nil, "", malformedf("%T: %w", l, err)
		}
		return items, acc.GetResourceVersion(), nil
	}
}
