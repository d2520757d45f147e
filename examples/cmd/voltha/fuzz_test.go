package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/steadfast-go/steadfast/examples/voltha"
)

// A number from the environment is one from min to max, or an error, never a panic.
func FuzzParseInt(f *testing.F) {
	for _, s := range []string{"50057", "0", "-1", "65536", "+7", " 1", "0x10", "99999999999999999999"} {
		f.Add(s, 1, 65535)
	}
	f.Fuzz(func(t *testing.T, s string, min, max int) {
		n, err := parseInt(s, min, max)
		if want, aerr := strconv.Atoi(s); err == nil && (n < min || n > max || aerr != nil || n != want) {
			t.Fatalf("%q in [%d, %d] parsed as %d", s, min, max, n)
		}
	})
}

// The environment and flags, whatever their values, make a config whose layout is valid, or
// an error.
func FuzzParseConfig(f *testing.F) {
	f.Add("50057", "6", "3", "vcore", "-rw-cores=2")
	f.Add("x", "-1", "", "", "-core-port=0")
	f.Add("1", "3", "0", "ro", "extra")
	f.Fuzz(func(t *testing.T, port, rw, ro, cluster, arg string) {
		vars := map[string]string{"POD_GRPC_PORT": port, "NUM_RW_PODS": rw, "NUM_RO_PODS": ro, "AFROUTER_RW_CLUSTER_NAME": cluster}
		cfg, err := parseConfig([]string{arg}, env(vars), io.Discard)
		if err == nil {
			if verr := cfg.layout.Validate(); verr != nil {
				t.Fatalf("accepted an invalid layout: %v", verr)
			}
		}
	})
}

// A POST /discover, whatever its query, publishes exactly its device and core, or is refused.
func FuzzDiscover(f *testing.F) {
	for _, q := range []string{"device=olt-1&core=rw-core1-0", "device=olt-2", "device=%zz&core=a", "core=&device=x", "device=a&device=b&core=c"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, query string) {
		bus := &voltha.Bus{}
		req := httptest.NewRequest(http.MethodPost, "/discover", nil)
		req.URL.RawQuery = query
		rec := httptest.NewRecorder()
		discover(bus).ServeHTTP(rec, req)
		objs, _, _ := bus.List(t.Context(), metav1.ListOptions{})
		values, _ := url.ParseQuery(query)
		switch rec.Code {
		case http.StatusAccepted:
			d := objs[0].(*voltha.DeviceDiscovered)
			if len(objs) != 1 || d.Name != values.Get("device") || d.Core != values.Get("core") || d.Name == "" || d.Core == "" {
				t.Fatalf("%q published %v", query, objs)
			}
		case http.StatusBadRequest:
			if len(objs) != 0 {
				t.Fatalf("%q refused, yet published %v", query, objs)
			}
		default:
			t.Fatalf("%q: code %d", query, rec.Code)
		}
	})
}
