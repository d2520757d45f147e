package voltha

import (
	"net"
	"regexp"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// A Classifier tells whether a pod is a core: its role and, for a read-write core, its group,
// which names its backend ([Names.RWBackend]). ok is false for a pod that is not a core.
type Classifier func(p *corev1.Pod) (role Role, group string, ok bool)

// rwCore finds a read-write core's group in its name.
var rwCore = regexp.MustCompile(`rw-core([0-9]+)-`)

// ClassifyByName is the default [Classifier], the origin's: a pod whose name contains
// "rw-core<digits>-" is a read-write core of group <digits> ("rw-core1-5d8f9-x2z" is in group
// "1", whose backend is "vcore1"), as VOLTHA's deployments rw-core1, rw-core2, ... name their
// pods; a pod whose name contains "ro-core-" is a read-only core; other pods are not cores.
// (The origin read one digit; this reads all of them.)
func ClassifyByName(p *corev1.Pod) (Role, string, bool) {
	if m := rwCore.FindStringSubmatch(p.Name); m != nil {
		return RoleRW, m[1], true
	}
	if strings.Contains(p.Name, "ro-core-") {
		return RoleRO, "", true
	}
	return 0, "", false
}

// corePod returns the core a pod is, as classify says, its address made of its IP and port;
// ok is false if the pod is not a core. A core that does not run has no address (see running).
func corePod(pod *corev1.Pod, classify Classifier, port int) (Pod, bool) {
	role, group, ok := classify(pod)
	if !ok {
		return Pod{}, false
	}
	p := Pod{Name: pod.Name, Node: pod.Spec.NodeName, Role: role, Group: group}
	if running(pod) {
		p.Addr = net.JoinHostPort(pod.Status.PodIP, strconv.Itoa(port))
	}
	return p, true
}

// running reports whether a pod can be routed to, as the origin decided it: running, every
// condition true, with an IP address, and not being deleted.
func running(p *corev1.Pod) bool {
	if p.Status.Phase != corev1.PodRunning || p.DeletionTimestamp != nil || net.ParseIP(p.Status.PodIP) == nil {
		return false
	}
	for _, c := range p.Status.Conditions {
		if c.Status != corev1.ConditionTrue {
			return false
		}
	}
	return true
}
