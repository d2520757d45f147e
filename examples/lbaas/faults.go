package lbaas

import "time"

// Faults configures what the embedded [Server] does wrong. The zero value is a perfect Engine
// that provisions instantly.
type Faults struct {
	ProvisionDelay  time.Duration // a created resource is NewlyCreated this long
	FailRate        float64       // fraction of creates that end in DeploymentError
	StuckRate       float64       // fraction of creates that stay NewlyCreated forever
	ServerErrorRate float64       // fraction of requests answered 503, before doing anything
	SlowRate        float64       // fraction of requests that stall SlowDelay before doing anything
	SlowDelay       time.Duration // also how long an ActThenHang answer hangs at most
	// ActThenFailRate is the fraction of mutating requests (creates, destroys, tags) that are
	// carried out and then answered 503: the answer is lost, the change is made.
	ActThenFailRate float64
	// ActThenHangRate is the fraction of mutating requests that are carried out and then not
	// answered until the client gives up (or SlowDelay has passed).
	ActThenHangRate float64
	// TagConflicts makes the Engine's tagging bug real: a tag request that arrives while another
	// is handled is answered 409 and not carried out. TagDelay is how long each tag request is
	// handled.
	TagConflicts bool
	TagDelay     time.Duration
	Seed         uint64 // seeds the fault draws, so a run can be repeated
}
