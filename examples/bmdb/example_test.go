package bmdb_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/steadfast-go/steadfast/examples/bmdb"
	"github.com/steadfast-go/steadfast/reconcile"
)

// A session claims machines that need provisioning, one lease at a time, and reports each
// outcome; the last report is refused because the lease was already reported.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "bmdb-example-")
	defer os.RemoveAll(dir)
	db, err := bmdb.Open(ctx, filepath.Join(dir, "bmdb.sqlite"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	_ = db.AddMachines(ctx, bmdb.StageNew, "m1", "m2")
	sess, _ := db.OpenSession(ctx, "example")
	defer sess.Close(ctx)

	src := sess.Source(bmdb.Provision)
	var last bmdb.Lease
	for range 2 {
		l, _ := src.Get(ctx)
		fmt.Printf("%s %s token %d: %v\n", l.Process, l.Machine, l.Token, src.Done(ctx, l, reconcile.OutcomeOf(nil)))
		last = l
	}
	fmt.Println(src.Done(ctx, last, reconcile.OutcomeOf(nil)))
	st, _ := db.Stats(ctx)
	fmt.Println(st.Stages)
	// Output:
	// provision m1 token 1: <nil>
	// provision m2 token 1: <nil>
	// bmdb: lease lost: provision of machine "m2", session 1, token 1 (expired or taken over)
	// map[provisioned:2]
}
