package bmdb

import (
	"context"
	"fmt"
)

// Stats is a snapshot of the work, for progress reports.
type Stats struct {
	Stages    map[string]int // machines per stage
	Leases    int            // leases held by live sessions
	InBackoff int            // (machine, process) pairs waiting out a backoff
	Sessions  int            // sessions not yet collected
	// Events counts the history per process and event: Events["provision"][EventFinished].
	Events map[string]map[string]int
}

// Stats reads a snapshot of the work. It blocks on the database.
func (db *DB) Stats(ctx context.Context) (Stats, error) {
	now := ms(db.now())
	st := Stats{Stages: map[string]int{}, Events: map[string]map[string]int{}}
	if err := db.groupCount(ctx, `SELECT stage, '', COUNT(*) FROM machines GROUP BY stage`, func(a, _ string, n int) {
		st.Stages[a] = n
	}); err != nil {
		return Stats{}, err
	}
	if err := db.groupCount(ctx, `SELECT process, event, COUNT(*) FROM history GROUP BY process, event`, func(p, e string, n int) {
		if st.Events[p] == nil {
			st.Events[p] = map[string]int{}
		}
		st.Events[p][e] = n
	}); err != nil {
		return Stats{}, err
	}
	err := db.queryRow(ctx, db.sql, `SELECT
		(SELECT COUNT(*) FROM work w JOIN sessions s ON s.session_id = w.session_id WHERE s.expires > ?),
		(SELECT COUNT(*) FROM backoff WHERE until > ?),
		(SELECT COUNT(*) FROM sessions)`, now, now).Scan(&st.Leases, &st.InBackoff, &st.Sessions)
	if err != nil {
		return Stats{}, fmt.Errorf("bmdb: stats: %w", err)
	}
	return st, nil
}

// groupCount runs a query of (text, text, count) rows and passes each to fn.
func (db *DB) groupCount(ctx context.Context, query string, fn func(a, b string, n int)) error {
	rows, err := db.query(ctx, db.sql, query)
	if err != nil {
		return fmt.Errorf("bmdb: stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a, b string
		var n int
		if err := rows.Scan(&a, &b, &n); err != nil {
			return fmt.Errorf("bmdb: stats: %w", err)
		}
		fn(a, b, n)
	}
	return rows.Err()
}
