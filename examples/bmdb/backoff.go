package bmdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/steadfast-go/steadfast/backoff"
)

// backoffRow is a machine's stored backoff for one process.
type backoffRow struct {
	until    int64         // Unix ms; the machine is not due before
	interval time.Duration // the last interval, before jitter: the next one grows from it
	failures int64
	cause    string
}

func (s *Source) loadBackoff(ctx context.Context, tx *sql.Tx, l Lease) (backoffRow, error) {
	var r backoffRow
	var interval int64
	err := s.sess.db.queryRow(ctx, tx, `SELECT until, interval_ms, failures, cause FROM backoff
		WHERE machine_id = ? AND process = ?`, l.Machine, l.Process).Scan(&r.until, &interval, &r.failures, &r.cause)
	if errors.Is(err, sql.ErrNoRows) {
		return backoffRow{}, nil
	}
	r.interval = time.Duration(interval) * time.Millisecond
	return r, err
}

func (s *Source) storeBackoff(ctx context.Context, tx *sql.Tx, l Lease, r backoffRow) error {
	_, err := s.sess.db.exec(ctx, tx, `INSERT INTO backoff (machine_id, process, until, interval_ms, failures, cause)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (machine_id, process) DO UPDATE
		SET until = excluded.until, interval_ms = excluded.interval_ms, failures = excluded.failures, cause = excluded.cause`,
		l.Machine, l.Process, r.until, r.interval.Milliseconds(), r.failures, r.cause)
	return err
}

// nextInterval is the interval after prev under p: Initial after none, then prev times the
// multiplier, capped at Max.
func nextInterval(p backoff.Policy, prev time.Duration) time.Duration {
	p = p.WithDefaults()
	if prev <= 0 {
		return min(p.Initial, p.Max)
	}
	next := float64(prev) * p.Multiplier
	if next >= float64(p.Max) {
		return p.Max
	}
	return time.Duration(next)
}

// causeOf is the text of err stored as a failure's cause: valid UTF-8 with no NUL (which a
// PostgreSQL text column refuses), cut at a character boundary to at most maxCause bytes.
func causeOf(err error) string {
	if err == nil {
		return ""
	}
	c := strings.ToValidUTF8(strings.ReplaceAll(err.Error(), "\x00", ""), "\uFFFD")
	if len(c) <= maxCause {
		return c
	}
	cut := maxCause
	for cut > 0 && !utf8.RuneStart(c[cut]) {
		cut--
	}
	return c[:cut]
}

// Backoff is a machine's stored backoff for one process.
type Backoff struct {
	Until    time.Time     // the machine is not due for the process before
	Interval time.Duration // the last interval before jitter; the next failure grows it
	Failures int           // consecutive failures
	Cause    string        // the last failure's error
}

// Backoff returns the stored backoff of machine for process, or the zero Backoff if it has
// none. It blocks on the database.
func (db *DB) Backoff(ctx context.Context, machine, process string) (Backoff, error) {
	var until, interval, failures int64
	var b Backoff
	err := db.queryRow(ctx, db.sql, `SELECT until, interval_ms, failures, cause FROM backoff
		WHERE machine_id = ? AND process = ?`, machine, process).Scan(&until, &interval, &failures, &b.Cause)
	if errors.Is(err, sql.ErrNoRows) {
		return Backoff{}, nil
	} else if err != nil {
		return Backoff{}, fmt.Errorf("bmdb: backoff: %w", err)
	}
	b.Until = time.UnixMilli(until).UTC()
	b.Interval = time.Duration(interval) * time.Millisecond
	b.Failures = int(failures)
	return b, nil
}
