package voltha

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func podNamed(name string) *corev1.Pod { return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name}} }

func TestClassifyByName(t *testing.T) {
	tests := []struct {
		pod   string
		role  Role
		group string
		ok    bool
	}{
		{"rw-core1-0", RoleRW, "1", true},
		{"rw-core2-5d8f9c7b-x2z4k", RoleRW, "2", true},
		{"voltha-rw-core12-0", RoleRW, "12", true},
		{"rw-core-0", 0, "", false},
		{"ro-core-5d8f9-x2z", RoleRO, "", true},
		{"ro-core", 0, "", false},
		{"afrouter-0", 0, "", false},
	}
	for _, tt := range tests {
		role, group, ok := ClassifyByName(podNamed(tt.pod))
		assert.Equal(t, []any{tt.role, tt.group, tt.ok}, []any{role, group, ok}, tt.pod)
	}
}

func TestACorePodIsRoutedToOnlyWhenRunningReadyWithAnIPAndNotBeingDeleted(t *testing.T) {
	running := func() *corev1.Pod {
		p := podNamed("rw-core1-0")
		p.Spec.NodeName = "n1"
		p.Status = corev1.PodStatus{Phase: corev1.PodRunning, PodIP: "10.0.0.1",
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}}
		return p
	}
	tests := []struct {
		name   string
		change func(*corev1.Pod)
		addr   string
	}{
		{"running and ready", func(*corev1.Pod) {}, "10.0.0.1:50057"},
		{"an IPv6 address", func(p *corev1.Pod) { p.Status.PodIP = "fd00::1" }, "[fd00::1]:50057"},
		{"pending", func(p *corev1.Pod) { p.Status.Phase = corev1.PodPending }, ""},
		{"a condition not true", func(p *corev1.Pod) { p.Status.Conditions[0].Status = corev1.ConditionFalse }, ""},
		{"no IP", func(p *corev1.Pod) { p.Status.PodIP = "" }, ""},
		{"an IP that is not one", func(p *corev1.Pod) { p.Status.PodIP = "10.0.0.1:80" }, ""},
		{"being deleted", func(p *corev1.Pod) { p.DeletionTimestamp = &metav1.Time{Time: time.Unix(1, 0)} }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := running()
			tt.change(p)
			got, ok := corePod(p, ClassifyByName, DefaultCorePort)
			assert.True(t, ok)
			assert.Equal(t, Pod{Name: "rw-core1-0", Addr: tt.addr, Node: "n1", Role: RoleRW, Group: "1"}, got)
		})
	}
}

func TestTheRouterConnectionKeepsTheOriginsKeepalive(t *testing.T) {
	assert.Equal(t, 10*time.Second, RouterKeepalive.Time, "a ping after 10 s without activity")
	assert.Equal(t, 5*time.Second, RouterKeepalive.Timeout, "lost if unanswered within 5 s")
	assert.False(t, RouterKeepalive.PermitWithoutStream, "the origin sent no ping without a call open")
}

func TestTheDefaultsAreTheOrigins(t *testing.T) {
	assert.Equal(t, Names{Server: "grpc_command", Router: "vcore", Route: "dev_manager", RWCluster: "vcore", ROCluster: "ro_vcore"}, DefaultNames)
	assert.Equal(t, Layout{Names: DefaultNames, RWCores: 6, ROCores: 3}, DefaultLayout)
	assert.Equal(t, 5*time.Second, DefaultQueryTimeout)
	assert.Equal(t, 50057, DefaultCorePort)
	b, c := DefaultNames.ROBackend(2)
	assert.Equal(t, []string{"vcore1", "vcore12", "ro_vcore2", "ro_vcore21"},
		[]string{DefaultNames.RWBackend("1"), DefaultNames.RWConnection("vcore1", 2), b, c}, "backends and connections as the origin named them")
}
