package bmdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/steadfast-go/steadfast/reconcile"
)

// maxCause bounds the failure text stored in the backoff and history tables.
const maxCause = 500

// Done reports the outcome of the work on l.Machine and releases the lease, in one
// transaction that first checks the fence: the lease must still be this session's, with this
// token. If it is not (it expired and was collected or taken over), Done writes nothing and
// returns a *[LeaseLostError] matching [ErrLeaseLost]: a worker that lost its lease cannot
// commit late. If the database fails, the outcome is lost and Done releases the lease, so the
// work is done again. Otherwise, by o's kind:
//
//   - done: the machine moves from the process's From stage to its To stage and its backoff
//     is forgotten;
//   - retry: the machine waits out a backoff stored in the database (the previous interval
//     times the policy's multiplier, jittered, capped), with the error as its cause;
//   - retry-after: it waits exactly o.After, its interval unchanged;
//   - dropped: it moves to the DropTo stage, or is parked if there is none.
//
// Each report is recorded in the history. Done blocks on the database.
func (s *Source) Done(ctx context.Context, l Lease, o reconcile.Outcome) error {
	db := s.sess.db
	if o.Kind == reconcile.OutcomeDone && db.d.name == "postgres" {
		return s.finishFast(ctx, l)
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		now := db.now()
		if db.d.lockMachine != "" {
			var one int
			if err := db.queryRow(ctx, tx, db.d.lockMachine, l.Machine).Scan(&one); err != nil {
				return err
			}
		}
		if err := s.fence(ctx, tx, l); err != nil {
			return err
		}
		event, cause := EventFinished, ""
		var err error
		switch o.Kind {
		case reconcile.OutcomeDone:
			err = s.advance(ctx, tx, l, s.proc.To)
		case reconcile.OutcomeDropped:
			event, cause = EventDropped, causeOf(o.Err)
			err = s.drop(ctx, tx, l, now, cause)
		default:
			event, cause = EventFailed, causeOf(o.Err)
			err = s.backOff(ctx, tx, l, now, o, cause)
		}
		if err != nil {
			return err
		}
		_, err = db.exec(ctx, tx, `INSERT INTO history (machine_id, process, session_id, token, event, cause, at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, l.Machine, l.Process, l.Session, l.Token, event, cause, ms(now))
		return err
	})
	if errors.Is(err, ErrLeaseLost) {
		return err
	}
	if err != nil {
		// The outcome is lost; at least free the machine, or it would stay leased to this
		// session, and out of everyone's reach, for as long as the session lives.
		_ = s.release(context.WithoutCancel(ctx), l)
		return fmt.Errorf("bmdb: report %s of %q: %w", l.Process, l.Machine, err)
	}
	return nil
}

// fence releases l if it is still held by its session with its token, or fails with a
// LeaseLostError.
func (s *Source) fence(ctx context.Context, tx *sql.Tx, l Lease) error {
	res, err := s.sess.db.exec(ctx, tx, `UPDATE work SET session_id = NULL
		WHERE machine_id = ? AND process = ? AND session_id = ? AND token = ?`,
		l.Machine, l.Process, l.Session, l.Token)
	if err != nil {
		return err
	}
	if rowsAffected(res) != 1 {
		return &LeaseLostError{Lease: l}
	}
	return nil
}

// advance moves the machine from the process's From stage to stage and forgets its backoff.
func (s *Source) advance(ctx context.Context, tx *sql.Tx, l Lease, stage string) error {
	db := s.sess.db
	if _, err := db.exec(ctx, tx, `UPDATE machines SET stage = ? WHERE machine_id = ? AND stage = ?`,
		stage, l.Machine, s.proc.From); err != nil {
		return err
	}
	_, err := db.exec(ctx, tx, `DELETE FROM backoff WHERE machine_id = ? AND process = ?`, l.Machine, l.Process)
	return err
}

// drop moves the machine to DropTo, or parks it in a backoff that never ends.
func (s *Source) drop(ctx context.Context, tx *sql.Tx, l Lease, now time.Time, cause string) error {
	if s.proc.DropTo != "" {
		return s.advance(ctx, tx, l, s.proc.DropTo)
	}
	return s.storeBackoff(ctx, tx, l, backoffRow{until: math.MaxInt64, cause: cause})
}

// backOff stores the machine's next backoff after a failure.
func (s *Source) backOff(ctx context.Context, tx *sql.Tx, l Lease, now time.Time, o reconcile.Outcome, cause string) error {
	prev, err := s.loadBackoff(ctx, tx, l)
	if err != nil {
		return err
	}
	next := prev
	next.cause = cause
	if o.Kind == reconcile.OutcomeRetryAfter {
		next.until = ms(now.Add(o.After))
	} else {
		next.failures++
		next.interval = nextInterval(s.policy, prev.interval)
		next.until = ms(now.Add(jittered(s.policy, next.interval, s.jitter())))
	}
	return s.storeBackoff(ctx, tx, l, next)
}

// finishFast reports a success on PostgreSQL through the group commit, with Done's rules.
func (s *Source) finishFast(ctx context.Context, l Lease) error {
	held, err := s.finishGrouped(ctx, l)
	switch {
	case err != nil:
		_ = s.release(context.WithoutCancel(ctx), l)
		return err
	case !held:
		return &LeaseLostError{Lease: l}
	}
	return nil
}
