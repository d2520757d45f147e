package watchbench

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// podServer is a loopback API server for pods in one namespace, as JSON, every body encoded
// before the benchmark starts so that the server's own cost is writing bytes. A list answers
// with the pods at version "1". A watch with sendInitialEvents (the streaming list, which
// client-go's Reflector uses by default) first sends every pod as ADDED and the bookmark
// annotated k8s.io/initial-events-end; then every watch waits for start to be closed and sends
// the events once, and stays open until the client goes.
type podServer struct {
	*httptest.Server
	list    []byte
	initial [][]byte
	events  [][]byte
	start   chan struct{}
	lists   atomic.Int64 // list requests answered
	streams atomic.Int64 // streaming-list requests answered
}

func newPodServer(b *testing.B, pods, events int) *podServer {
	s := &podServer{start: make(chan struct{})}
	l := corev1.PodList{TypeMeta: metav1.TypeMeta{Kind: "PodList", APIVersion: "v1"}, ListMeta: metav1.ListMeta{ResourceVersion: "1"}}
	for i := range pods {
		p := benchPod(i, 1)
		l.Items = append(l.Items, *p)
		s.initial = append(s.initial, eventLine(b, "ADDED", p))
	}
	s.initial = append(s.initial, eventLine(b, "BOOKMARK", &corev1.Pod{TypeMeta: metav1.TypeMeta{Kind: "Pod", APIVersion: "v1"},
		ObjectMeta: metav1.ObjectMeta{ResourceVersion: "1", Annotations: map[string]string{metav1.InitialEventsAnnotationKey: "true"}}}))
	var err error
	if s.list, err = json.Marshal(&l); err != nil {
		b.Fatal(err)
	}
	for i := range events {
		s.events = append(s.events, eventLine(b, "MODIFIED", benchPod(i%max(pods, 1), i+2)))
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	b.Cleanup(s.Close)
	return s
}

// benchPod is a pod of a realistic size: labels, an owner, a container with resources, a
// node, and a status with conditions, about 1.3 KB of JSON.
func benchPod(i, rv int) *corev1.Pod {
	name := "web-" + strconv.Itoa(i)
	return &corev1.Pod{
		TypeMeta: metav1.TypeMeta{Kind: "Pod", APIVersion: "v1"},
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name, ResourceVersion: strconv.Itoa(rv),
			UID: types.UID("uid-" + name), Labels: map[string]string{"app": "web", "pod-template-hash": "5d8f7c9b6"},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web-5d8f7c9b6", UID: "rs-uid"}}},
		Spec: corev1.PodSpec{NodeName: "node-" + strconv.Itoa(i%50), Containers: []corev1.Container{{
			Name: "web", Image: "registry.example/web:1.2.3", Ports: []corev1.ContainerPort{{ContainerPort: 8080}},
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
				corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")}},
		}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, PodIP: "10.0." + strconv.Itoa(i/250) + "." + strconv.Itoa(i%250),
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue},
				{Type: corev1.ContainersReady, Status: corev1.ConditionTrue}},
			ContainerStatuses: []corev1.ContainerStatus{{Name: "web", Ready: true, Image: "registry.example/web:1.2.3"}}},
	}
}

func eventLine(b *testing.B, typ string, obj runtime.Object) []byte {
	raw, err := json.Marshal(obj)
	if err != nil {
		b.Fatal(err)
	}
	line, err := json.Marshal(metav1.WatchEvent{Type: typ, Object: runtime.RawExtension{Raw: raw}})
	if err != nil {
		b.Fatal(err)
	}
	return append(line, '\n')
}

func (s *podServer) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Query().Get("watch") == "" {
		s.lists.Add(1)
		_, _ = w.Write(s.list)
		return
	}
	w.WriteHeader(http.StatusOK)
	f := w.(http.Flusher)
	if r.URL.Query().Get("sendInitialEvents") == "true" {
		s.streams.Add(1)
		s.write(w, f, s.initial)
	}
	f.Flush()
	select {
	case <-s.start:
		s.write(w, f, s.events)
	case <-r.Context().Done():
		return
	}
	<-r.Context().Done()
}

// write sends lines, flushing every 16 as a busy API server's buffered writes do.
func (s *podServer) write(w http.ResponseWriter, f http.Flusher, lines [][]byte) {
	for i, l := range lines {
		if _, err := w.Write(l); err != nil {
			return
		}
		if i%16 == 15 {
			f.Flush()
		}
	}
	f.Flush()
}

// podsClient is a real typed client for the server, speaking JSON.
func podsClient(b *testing.B, s *podServer) *kubernetes.Clientset {
	cs, err := kubernetes.NewForConfig(&rest.Config{Host: s.URL, QPS: -1,
		ContentConfig: rest.ContentConfig{ContentType: "application/json", AcceptContentTypes: "application/json"}})
	if err != nil {
		b.Fatal(err)
	}
	return cs
}
