package main

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"go.uber.org/goleak"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/steadfast-go/steadfast/examples/voltha"
)

// The demo is the check of the whole: a failed step fails it, and it leaves nothing running.
func TestTheDemoConvergesAfterEveryStep(t *testing.T) {
	defer goleak.VerifyNone(t)
	if testing.Short() {
		t.Skip("runs the demo, a few seconds")
	}
	if err := demo(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func TestAPostToDiscoverPublishesOnTheBus(t *testing.T) {
	bus := &voltha.Bus{}
	tests := []struct {
		name  string
		query string
		code  int
		n     int // events on the bus after
	}{
		{"device and core are published", "?device=olt-1&core=rw-core1-0", http.StatusAccepted, 1},
		{"without a core the request is refused", "?device=olt-2", http.StatusBadRequest, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			discover(bus).ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/discover"+tt.query, nil))
			if rec.Code != tt.code {
				t.Errorf("code %d, want %d", rec.Code, tt.code)
			}
			if objs, _, _ := bus.List(t.Context(), metav1.ListOptions{}); len(objs) != tt.n {
				t.Errorf("%d events on the bus, want %d", len(objs), tt.n)
			}
		})
	}
}
