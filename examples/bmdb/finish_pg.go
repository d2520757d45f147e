package bmdb

import (
	"context"
	"sync"
)

// group is the group commit of successful reports on PostgreSQL: reports that arrive while a
// commit is running wait, and the next commit takes them all in one statement. Under load the
// workers of a Source share commits instead of queueing for connections; alone, a report is
// a commit of one. No goroutine is started: the first waiting report leads the next commit.
type group struct {
	mu       sync.Mutex
	pending  []*finishReq
	flushing bool // a leader is committing; new reports wait for it
}

type finishReq struct {
	l   Lease
	res chan finishRes // buffered: a lead message, then the result, never both pending
}

type finishRes struct {
	err  error // nil: the fence held and the outcome was committed
	lead bool  // not a result: the receiver commits the next group
}

// finishGrouped commits a success of l with the reports pending at the same time, under
// Done's rules.
func (s *Source) finishGrouped(ctx context.Context, l Lease) error {
	req := &finishReq{l: l, res: make(chan finishRes, 1)}
	g := &s.group
	g.mu.Lock()
	g.pending = append(g.pending, req)
	lead := !g.flushing
	g.flushing = true
	g.mu.Unlock()
	if !lead {
		r := <-req.res
		if !r.lead {
			return r.err
		}
	}
	g.mu.Lock()
	batch := g.pending
	g.pending = nil
	g.mu.Unlock()
	s.commitGroup(ctx, batch) // answers every report in batch, req's too
	g.mu.Lock()
	if len(g.pending) > 0 {
		g.pending[0].res <- finishRes{lead: true} // hand the lead on; it commits whatever is pending
	} else {
		g.flushing = false
	}
	g.mu.Unlock()
	return (<-req.res).err
}

// commitGroup commits the successes of batch in one statement under Done's retry rule, and
// answers each report.
func (s *Source) commitGroup(ctx context.Context, batch []*finishReq) {
	var held map[string]bool
	attempts := 0
	err := s.retryReport(ctx, batch[0].l, func(ctx context.Context) error {
		attempts++ // a retry also looks for commits whose answer was lost
		var err error
		held, err = s.finishPG(ctx, batch, attempts > 1)
		return err
	})
	for _, r := range batch {
		switch {
		case err != nil:
			r.res <- finishRes{err: err}
		case !held[r.l.Machine]:
			r.res <- finishRes{err: &LeaseLostError{Lease: r.l}}
		default:
			r.res <- finishRes{}
		}
	}
}

// finishPG is Done's success path for a group of leases in one statement: lock the machines'
// rows (first, in the order claims lock), release each lease whose fence holds, move those
// machines on, forget their backoffs and idempotency keys and record the history. Each step
// after the fence reads the fence's RETURNING, so nothing is written for a lease whose fence
// failed. It returns the machines whose fence held; with retried, also those whose report is
// in the history already (an earlier attempt committed, and its answer was lost).
func (s *Source) finishPG(ctx context.Context, batch []*finishReq, retried bool) (map[string]bool, error) {
	db := s.sess.db
	machines := make([]string, len(batch))
	sessions := make([]int64, len(batch))
	tokens := make([]int64, len(batch))
	for i, r := range batch {
		machines[i], sessions[i], tokens[i] = r.l.Machine, r.l.Session, r.l.Token
	}
	rows, err := db.sql.QueryContext(ctx, `WITH
		input AS (SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS t (machine_id, session_id, token)),
		lock AS (SELECT machine_id FROM machines WHERE machine_id IN (SELECT machine_id FROM input)
			ORDER BY machine_id FOR UPDATE),
		fence AS (UPDATE work w SET session_id = NULL, idem_key = NULL FROM input i
			WHERE w.machine_id = i.machine_id AND w.process = $4 AND w.session_id = i.session_id
			AND w.token = i.token AND w.machine_id IN (SELECT machine_id FROM lock)
			RETURNING w.machine_id, i.session_id, i.token),
		stage AS (UPDATE machines SET stage = $5
			WHERE machine_id IN (SELECT machine_id FROM fence) AND stage = $6 RETURNING 1),
		forget AS (DELETE FROM backoff
			WHERE process = $4 AND machine_id IN (SELECT machine_id FROM fence) RETURNING 1),
		record AS (INSERT INTO history (machine_id, process, session_id, token, event, cause, at)
			SELECT machine_id, $4, session_id, token, $7, '', $8 FROM fence RETURNING 1)
		SELECT machine_id FROM fence
		UNION ALL SELECT h.machine_id FROM history h JOIN input i ON h.machine_id = i.machine_id
			AND h.session_id = i.session_id AND h.token = i.token
			WHERE $9 AND h.process = $4 AND h.event = $7`,
		machines, sessions, tokens, s.proc.Name, s.proc.To, s.proc.From, EventFinished, ms(db.now()), retried)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	held := map[string]bool{}
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return nil, err
		}
		held[m] = true
	}
	return held, rows.Err()
}
