package bmdbtest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/steadfast-go/steadfast/examples/bmdb/bmdbtest"
)

// A Clock moves only when told, so a test can expire a lease without waiting for it.
func ExampleClock() {
	c := bmdbtest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	c.Advance(15 * time.Second)
	fmt.Println(c.Now().Format(time.TimeOnly))
	// Output: 00:00:15
}

// StartPostgres gives a test a private server, stopped when the test ends; NewDatabase gives
// the test a database of its own on it. (Compile-only: it needs the postgresql package.)
func ExampleStartPostgres() {
	test := func(t *testing.T) {
		srv := bmdbtest.StartPostgres(t)
		dsn := srv.NewDatabase(t) // postgres://postgres@127.0.0.1:<port>/db1?sslmode=disable
		fmt.Println(dsn)
	}
	_ = test
}
