package reconciletest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/reconcile"
	"github.com/steadfast-go/steadfast/reconcile/reconciletest"
)

// errNotFound is what the user's store returns for a key it does not know.
var errNotFound = errors.New("not found")

// scaler is a user's controller: its sync copies each app's desired replica count to a
// deployment store, and gives up on apps that do not exist.
type scaler struct {
	desired  map[string]int
	deployed map[string]int
}

func (s *scaler) Sync(_ context.Context, app string) error {
	n, ok := s.desired[app]
	if !ok {
		return backoff.Permanent(fmt.Errorf("%s: %w", app, errNotFound))
	}
	s.deployed[app] = n
	return nil
}

// A test of the user's controller: script the keys, run the controller's sync through
// reconcile.Run over the fake source, and check what was reported for each key.
func ExampleSource() {
	s := &scaler{desired: map[string]int{"web": 3, "db": 1}, deployed: map[string]int{}}
	var src reconciletest.Source[string]
	src.Push("web", "db", "ghost")
	src.Close() // Run returns once the keys are handed out and synced

	if err := reconcile.Run(context.Background(), &src, s); err != nil {
		fmt.Println("Run:", err)
	}
	for _, r := range src.Reports() {
		fmt.Println(r.Key, r.Outcome.Kind, r.Outcome.Err)
	}
	fmt.Println("deployed:", s.deployed)
	fmt.Println("violations:", src.Violations())
	// Output:
	// web done <nil>
	// db done <nil>
	// ghost dropped ghost: not found
	// deployed: map[db:1 web:3]
	// violations: []
}
