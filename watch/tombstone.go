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
func tombstone(k key, rv string) *Tombstone {
	t := &Tombstone{}
	t.Namespace, t.Name, t.ResourceVersion = k.namespace, k.name, rv
	return t
}

// key names an object: its namespace ("" for a cluster-scoped object) and its name, kept apart
// so that a name containing "/" (as sources adapted from etcd keys or paths have) is never split
// and never collides with a namespaced object's key.
type key struct{ namespace, name string }

func keyOf(o metav1.Object) key { return key{o.GetNamespace(), o.GetName()} }

// String is namespace/name, or name for a cluster-scoped object, for messages only.
func (k key) String() string {
	if k.namespace != "" {
		return k.namespace + "/" + k.name
	}
	return k.name
}

// compare orders keys by namespace, then name.
func (k key) compare(o key) int {
	if c := strings.Compare(k.namespace, o.namespace); c != 0 {
		return c
	}
	return strings.Compare(k.name, o.name)
}
