package voltha

import (
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/steadfast-go/steadfast/examples/voltha/corepb"
)

// A pod from the Kubernetes API, whatever its name, IP, phase and conditions, is a core or
// not without a panic; a core that runs has an address the router's Conn can carry, and a
// read-write core found by name has a group of digits.
func FuzzCorePod(f *testing.F) {
	f.Add("rw-core1-0", "10.0.0.1", string(corev1.PodRunning), "True", 50057)
	f.Add("ro-core-5d8f9-x2z", "fd00::1", string(corev1.PodRunning), "", 1)
	f.Add("rw-core-0", "", string(corev1.PodPending), "False", 0)
	f.Add("rw-core99999999999999999999-x", "1.2.3.4:5", "Running", "True", 65536)
	f.Fuzz(func(t *testing.T, name, ip, phase, condition string, port int) {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name}, Status: corev1.PodStatus{Phase: corev1.PodPhase(phase), PodIP: ip}}
		if condition != "" {
			pod.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionStatus(condition)}}
		}
		p, ok := corePod(pod, ClassifyByName, port)
		if !ok {
			return
		}
		if p.Role == RoleRW && (p.Group == "" || strings.Trim(p.Group, "0123456789") != "") {
			t.Fatalf("group %q of %q is not digits", p.Group, name)
		}
		if p.Addr != "" && port >= 1 && port <= 65535 {
			if _, _, err := SplitAddr(p.Addr); err != nil {
				t.Fatalf("the address %q of a running core does not split: %v", p.Addr, err)
			}
		}
	})
}

// A core address splits into an IP and a port from 1 to 65535, or is an error; what splits
// joins back into an address that splits the same.
func FuzzSplitAddr(f *testing.F) {
	for _, s := range []string{"10.0.0.1:50057", "[fd00::1]:1", "host:50057", "10.0.0.1:0", "10.0.0.1:65536", ":", "[::1]", "1.2.3.4:+5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, addr string) {
		host, port, err := SplitAddr(addr)
		if err != nil {
			return
		}
		if net.ParseIP(host) == nil || port < 1 || port > 65535 {
			t.Fatalf("%q split into %q and %d", addr, host, port)
		}
		h2, p2, err := SplitAddr(net.JoinHostPort(host, strconv.FormatUint(port, 10)))
		if err != nil || h2 != host || p2 != port {
			t.Fatalf("%q: joined back it splits into %q %d %v", addr, h2, p2, err)
		}
	})
}

// A core's ListDeviceIds answer, whatever its bytes, gives device IDs that are neither empty
// nor repeated, or fails to decode.
func FuzzDeviceIDs(f *testing.F) {
	b, _ := proto.Marshal(&corepb.IDs{Items: []*corepb.ID{{Id: "olt-1"}, {Id: ""}, {Id: "olt-1"}, {Id: "olt-2"}}})
	f.Add(b)
	f.Add([]byte{0x0a, 0x00})
	f.Add([]byte{0x0a, 0x02, 0x0a})
	f.Fuzz(func(t *testing.T, b []byte) {
		var ids corepb.IDs
		if proto.Unmarshal(b, &ids) != nil {
			return
		}
		got := DeviceIDs(&ids)
		if slices.Contains(got, "") || len(slices.Compact(slices.Sorted(slices.Values(got)))) != len(got) {
			t.Fatalf("device IDs %q", got)
		}
	})
}
