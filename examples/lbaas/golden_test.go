package lbaas

import (
	"testing"

	"github.com/steadfast-go/steadfast/reconcile/converge"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Answers shaped exactly as the Engine's, taken as facts from the public definitions
// (go-anxcloud pkg/apis/lbaas/v1 *_types.go, pkg/apis/common/gs/state.go) and its public mock
// server (pkg/apis/lbaas/v1/test/mockserver.go). The mock server spells the state's title
// "text", and writes the load balancer's name where its identifier belongs (a bug of the
// mock); the answers below carry the identifier.
var goldenAnswers = []struct {
	name  string
	kind  Kind
	json  string
	want  Resource
	phase converge.Phase
}{
	{"backend, every field of the definition", KindBackend,
		`{"customer_identifier":"c1","reseller_identifier":"r1","identifier":"7f0e3a","name":"http.web.default.prod",
		  "health_check":"\"adv_check\": \"tcp-check\"","mode":"tcp","server_timeout":30,
		  "automation_rules":[{"identifier":"ru1","name":"rule"}],
		  "load_balancer":{"identifier":"a1b2c3","name":"lb-prod"},"state":{"id":"3","title":"Deployed","type":1}}`,
		Resource{Kind: KindBackend, Identifier: "7f0e3a", Name: "http.web.default.prod", State: StateDeployed,
			LoadBalancer: "a1b2c3", Mode: "tcp", HealthCheck: `"adv_check": "tcp-check"`}, converge.PhaseReady},
	{"backend as the public mock server writes it", KindBackend,
		`{"identifier":"test identifier 2","name":"test-backend-02","mode":"tcp",
		  "load_balancer":{"name":"","identifier":"bogus identifier 2"},"state":{"id":"4","type":2,"text":"NewlyCreated"}}`,
		Resource{Kind: KindBackend, Identifier: "test identifier 2", Name: "test-backend-02", State: StateNewlyCreated,
			LoadBalancer: "bogus identifier 2", Mode: "tcp"}, converge.PhasePending},
	{"frontend updating", KindFrontend,
		`{"identifier":"fe1","name":"http.sfx","mode":"tcp","client_timeout":"50s",
		  "load_balancer":{"identifier":"a1b2c3","name":"lb-prod"},"default_backend":{"identifier":"7f0e3a","name":"http.sfx"},
		  "state":{"id":"0","title":"Updating","type":1}}`,
		Resource{Kind: KindFrontend, Identifier: "fe1", Name: "http.sfx", State: StateUpdating, LoadBalancer: "a1b2c3",
			DefaultBackend: "7f0e3a", Mode: "tcp"}, converge.PhasePending},
	{"bind failed", KindBind,
		`{"identifier":"bi1","name":"v4.http.sfx","address":"192.0.2.10","port":80,"ssl":false,"ssl_certificate_path":"",
		  "frontend":{"identifier":"fe1","name":"http.sfx"},"state":{"id":"2","title":"DeploymentError","type":0}}`,
		Resource{Kind: KindBind, Identifier: "bi1", Name: "v4.http.sfx", State: StateDeploymentError, Frontend: "fe1",
			Address: "192.0.2.10", Port: 80}, converge.PhaseFailed},
	{"server updated", KindServer,
		`{"identifier":"sv1","name":"node-a.http.sfx","ip":"10.0.0.1","port":30080,"check":"enabled",
		  "backend":{"identifier":"7f0e3a","name":"http.sfx"},"state":{"id":"1","title":"Updated","type":1}}`,
		Resource{Kind: KindServer, Identifier: "sv1", Name: "node-a.http.sfx", State: StateUpdated, Backend: "7f0e3a",
			Address: "10.0.0.1", Port: 30080, Check: "enabled"}, converge.PhaseReady},
	{"load balancer", KindLoadBalancer,
		`{"identifier":"a1b2c3","name":"lb-prod","ip_address":"198.51.100.7","automation_rules":[]}`,
		Resource{Kind: KindLoadBalancer, Identifier: "a1b2c3", Name: "lb-prod", Address: "198.51.100.7"}, converge.PhasePending},
	{"a state as a bare id, the form a request carries", KindServer,
		`{"identifier":"sv2","name":"n","ip":"10.0.0.2","port":1,"backend":{"identifier":"b"},"state":"2"}`,
		Resource{Kind: KindServer, Identifier: "sv2", Name: "n", State: StateDeploymentError, Backend: "b", Address: "10.0.0.2", Port: 1},
		converge.PhaseFailed},
}

func TestGoldenAnswersDecodeIntoTheRightResourcesAndPhases(t *testing.T) {
	for _, tt := range goldenAnswers {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeResource(tt.kind, []byte(tt.json))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.phase, got.State.Phase())
		})
	}
}

// The core API's answer for one resource, as go-anxcloud's pkg/apis/core/v1 test decodes it.
const goldenCoreResource = `{
	"name":"test", "identifier":"some identifier string",
	"resource_type":{"identifier":"some other identifier string","name":"Service Resource"},
	"service_name":"Service", "deleted_at":null, "updated_at":"2022-03-23 12:19:00", "created_at":"2022-03-23 12:18:59",
	"reseller":{"customer_id":"421337","demo":false,"identifier":"yet another identifier","name":"Some reseller name","name_slug":"some_reseller_name","reseller":null},
	"customer":{"customer_id":"133742","demo":false,"identifier":"even yet another identifier","name":"Some customer name","name_slug":"some_customer_name","reseller":"yet another identifier"},
	"billing_contract":null, "managed_status":"unmanaged", "shared_by":null, "shared_at":null, "resource_pools":[], "attributes":null,
	"tags":[{"name":"some-tag","identifier":"we sure have a lot of identifiers"},{"name":"some-other-tag","identifier":"we sure have a lot of identifiers ..."}]
}`

func TestGoldenCoreResourceDecodesTypeAndTags(t *testing.T) {
	got, err := decodeCoreResource([]byte(goldenCoreResource))
	require.NoError(t, err)
	assert.Equal(t, CoreResource{Identifier: "some identifier string", Name: "test", TypeID: "some other identifier string",
		TypeName: "Service Resource", Tags: []string{"some-tag", "some-other-tag"}}, got)
	_, managed := got.Kind()
	assert.False(t, managed, "a service resource is not an LBaaS kind")

	got.TypeID = "01f321a4875446409d7d8469503a905f"
	k, managed := got.Kind()
	assert.True(t, managed)
	assert.Equal(t, KindServer, k, "the origin's resource type of an LBaaS server")
}

// Listings in the three shapes the Engine answers with, from go-anxcloud's pkg/api pagination
// (its test's envelope, verbatim) and the public mock server (a bare array).
func TestGoldenListingsDecodeInEveryShape(t *testing.T) {
	tests := []struct {
		name, json string
		want       page
	}{
		{"envelope", `{ "state": "success", "messages": [], "data": { "page": 1, "total_pages": 3, "total_items": 4, "limit": 2,
			"data": [ { "message": "foo" }, { "message": "bar" } ] } }`,
			page{number: 1, total: 3, totalItems: 4, limit: 2, items: raws(`{ "message": "foo" }`, `{ "message": "bar" }`)}},
		{"paged", `{"page":2,"limit":10,"total_items":12,"total_pages":2,"data":[{"identifier":"a","name":"x"}]}`,
			page{number: 2, limit: 10, totalItems: 12, total: 2, items: raws(`{"identifier":"a","name":"x"}`)}},
		{"bare array", `[{"name":"Example-Backend","identifier":"bogus identifier 1"}]`,
			page{items: raws(`{"name":"Example-Backend","identifier":"bogus identifier 1"}`)}},
		{"empty data", `{"page":1,"limit":10,"total_items":0,"total_pages":0,"data":[]}`, page{number: 1, limit: 10, items: raws()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodePage([]byte(tt.json))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestGoldenErrorBodyGivesTheEngineMessage(t *testing.T) {
	assert.Equal(t, "Not Found", errorMessage([]byte(`{"error":{"message":"Not Found","code":404}}`)))
	assert.Empty(t, errorMessage([]byte(`<html>bad gateway</html>`)))
}
