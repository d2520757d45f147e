package volthatest

import (
	"context"
	"strconv"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiwatch "k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	k8stesting "k8s.io/client-go/testing"
)

// Cluster is a Kubernetes cluster of core pods in one namespace, on client-go's fake
// clientset. Its methods change pods as the kubelet would; [Cluster.Pods] is the typed client
// the daemon watches. Make one with [NewCluster].
type Cluster struct {
	cs *fake.Clientset
	ns string

	mu sync.Mutex // held across a write to the fake clientset
	rv int        // the fake tracker's resourceVersion for pods: 1 before the first write

	// wmu guards the watch reactor's fields. It is not mu: the fake clientset runs the
	// reactor under its own lock, which a write takes while holding mu.
	wmu        sync.Mutex
	failWatch  []error
	watchCalls int
}

// NewCluster returns an empty cluster whose pods are in namespace ns. Its watch calls fail as
// told by [Cluster.FailWatches].
func NewCluster(ns string) *Cluster {
	c := &Cluster{cs: fake.NewClientset(), ns: ns, rv: 1}
	c.cs.PrependWatchReactor("pods", func(k8stesting.Action) (bool, apiwatch.Interface, error) {
		c.wmu.Lock()
		defer c.wmu.Unlock()
		c.watchCalls++
		return pop(&c.failWatch)
	})
	return c
}

// pop takes the next scripted failure, if any: (true, nil, err) fails the call.
func pop(errs *[]error) (bool, apiwatch.Interface, error) {
	if len(*errs) == 0 {
		return false, nil, nil
	}
	err := (*errs)[0]
	*errs = (*errs)[1:]
	return true, nil, err
}

// Pods returns the typed pod client of the namespace: a watch.Source, and its List is what
// watch.ListerOf adapts.
func (c *Cluster) Pods() typedcorev1.PodInterface { return c.cs.CoreV1().Pods(c.ns) }

// Clientset returns the fake clientset.
func (c *Cluster) Clientset() *fake.Clientset { return c.cs }

// FailWatches makes the next watch calls fail with errs, one each.
func (c *Cluster) FailWatches(errs ...error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.failWatch = append(c.failWatch, errs...)
}

// WatchCalls returns how many watch calls were made, failed ones included.
func (c *Cluster) WatchCalls() int {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.watchCalls
}

// Start creates the pod name on node, pending, then running with ip: two events, as a
// scheduled pod gets its IP after it was created.
func (c *Cluster) Start(ctx context.Context, name, node, ip string) error {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: c.ns},
		Spec: corev1.PodSpec{NodeName: node}, Status: corev1.PodStatus{Phase: corev1.PodPending}}
	if err := c.write(ctx, pod, true); err != nil {
		return err
	}
	pod.Status = corev1.PodStatus{Phase: corev1.PodRunning, PodIP: ip}
	return c.write(ctx, pod, false)
}

// Restart deletes the pod name and starts it again on the same node with a new ip, as a
// StatefulSet does with a crashed pod.
func (c *Cluster) Restart(ctx context.Context, name, ip string) error {
	pod, err := c.Pods().Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	if err := c.Delete(ctx, name); err != nil {
		return err
	}
	return c.Start(ctx, name, pod.Spec.NodeName, ip)
}

// Delete deletes the pod name.
func (c *Cluster) Delete(ctx context.Context, name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.Pods().Delete(ctx, name, metav1.DeleteOptions{})
}

// write creates or updates pod, stamped with the resourceVersion the tracker gives it: the
// tracker counts writes of pods from 1 and does not put the version in the object itself.
// The lock keeps the count and the write together.
func (c *Cluster) write(ctx context.Context, pod *corev1.Pod, create bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := pod.DeepCopy()
	p.ResourceVersion = strconv.Itoa(c.rv + 1)
	var err error
	if create {
		_, err = c.Pods().Create(ctx, p, metav1.CreateOptions{})
	} else {
		_, err = c.Pods().Update(ctx, p, metav1.UpdateOptions{})
	}
	if err == nil {
		c.rv++
	}
	return err
}
