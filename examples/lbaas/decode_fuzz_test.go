package lbaas

import (
	"encoding/json"
	"testing"
)

// FuzzDecodeResource feeds arbitrary bytes to the client's decoding of an API answer: it must
// never panic, and whatever it accepts must be a resource the reconciler can rely on, which
// survives encoding and decoding again unchanged.
func FuzzDecodeResource(f *testing.F) {
	f.Add([]byte(`{"kind":"bind","identifier":"bind-1","name":"v4-http","state":"ok","frontend":"fe-1","address":"192.0.2.1","port":80}`))
	f.Add([]byte(`{"kind":"server","identifier":"s","state":"pending","port":-1}`))
	f.Add([]byte(`[{"identifier":"a","kind":"backend"}]`))
	f.Add([]byte(`{"kind":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var r Resource
		if err := decodeInto(data, &r); err == nil {
			if r.checkDecoded() != nil {
				t.Fatalf("accepted %+v, which does not check", r)
			}
			again, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			var r2 Resource
			if err := decodeInto(again, &r2); err != nil || r2 != r {
				t.Fatalf("round trip changed %+v into %+v (%v)", r, r2, err)
			}
		}
		var refs []TagRef
		_ = decodeInto(data, &refs)
	})
}
