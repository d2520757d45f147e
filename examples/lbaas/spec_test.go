package lbaas

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func validService() Service {
	return Service{
		UID: "u1", LoadBalancer: "loadbalancer-0001",
		Ports:       []Port{{Name: "http", External: 80, Internal: 30080}},
		ExternalIPs: []string{"192.0.2.10", "2001:db8::10"},
		Nodes:       []Node{{Name: "n1", Address: "10.0.0.1"}},
	}
}

func TestServiceValidateRefusesBadInput(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Service)
		want   string
	}{
		{"invalid external IP", func(s *Service) { s.ExternalIPs = []string{"300.1.1.1"} }, `external IP "300.1.1.1" is not an IP address`},
		{"port out of range", func(s *Service) { s.Ports[0].External = 70000 }, `port "http": 70000 is out of range 1..65535`},
		{"zero node port", func(s *Service) { s.Ports[0].Internal = 0 }, `port "http": 0 is out of range`},
		{"duplicate port names", func(s *Service) { s.Ports = append(s.Ports, Port{Name: "http", External: 81, Internal: 30081}) }, `port name "http" is used twice`},
		{"empty node list", func(s *Service) { s.Nodes = nil }, "the node list is empty"},
		{"node without an IP", func(s *Service) { s.Nodes[0].Address = "node-1" }, `node address "node-1" is not an IP address`},
		{"no uid", func(s *Service) { s.UID = "" }, "uid is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := validService()
			tt.mutate(&s)
			assert.ErrorContains(t, s.Validate(), tt.want)
		})
	}
}

func TestServiceValidateReportsEveryProblem(t *testing.T) {
	err := Service{Ports: []Port{{Name: "a"}}}.Validate()
	for _, want := range []string{"uid is empty", "load_balancer is empty", "0 is out of range", "the node list is empty"} {
		assert.ErrorContains(t, err, want)
	}
	assert.NoError(t, validService().Validate())
}

func TestServiceValidateTakesAnEmptyServiceAsDeletedOnly(t *testing.T) {
	s := validService().Deleted()
	assert.NoError(t, s.Validate(), "no ports, IPs or nodes: the service deleted")
	s.ExternalIPs = []string{"192.0.2.1"}
	assert.ErrorContains(t, s.Validate(), "no ports", "an IP without ports is a mistake, not a deletion")
	s = validService().Deleted()
	s.UID = ""
	assert.ErrorContains(t, s.Validate(), "uid is empty")
}
