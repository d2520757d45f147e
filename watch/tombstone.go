package watch

import (
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Tombstone is the object of a synthetic Deleted event, sent after a relist ([WithList]) for
// an object the handler was given before and that the list no longer has. The Watcher does not
// keep objects, only keys, so a Tombstone has the namespace, the name and the resourceVersion
// last delivered for that object, and nothing else. It satisfies metav1.Object, so
// meta.Accessor works on it; a handler that type-asserts events to its own type should check
// for *Tombstone on Deleted events.
type Tombstone struct {
	metav1.ObjectMeta
}

var _ runtime.Object = (*Tombstone)(nil)

// GetObjectKind returns an empty kind: a Tombstone has none.
func (t *Tombstone) GetObjectKind() schema.ObjectKind { return schema.EmptyObjectKind }

// DeepCopyObject returns a deep copy of t.
func (t *Tombstone) DeepCopyObject() runtime.Object {
	c := &Tombstone{}
	t.ObjectMeta.DeepCopyInto(&c.ObjectMeta)
	return c
}

// tombstone makes the object of a synthetic delete from a key and the last delivered version.
func tombstone(key, rv string) *Tombstone {
	t := &Tombstone{}
	if ns, name, ok := strings.Cut(key, "/"); ok {
		t.Namespace, t.Name = ns, name
	} else {
		t.Name = key
	}
	t.ResourceVersion = rv
	return t
}

// objectKey is namespace/name, or name for a cluster-scoped object (as client-go's cache keys).
func objectKey(o metav1.Object) string {
	if ns := o.GetNamespace(); ns != "" {
		return ns + "/" + o.GetName()
	}
	return o.GetName()
}
