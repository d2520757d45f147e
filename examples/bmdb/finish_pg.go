package bmdb

import (
	"context"
	"fmt"
)

// finishPG is Done's success path on PostgreSQL in one statement, so in one round trip instead
// of seven: lock the machine's row (first, in the order claims lock), release the lease if
// the fence holds, move the machine on, forget its backoff and record the history. Each step
// after the fence reads the fence's RETURNING, so nothing is written when it fails. It reports
// whether the fence held.
func (s *Source) finishPG(ctx context.Context, l Lease) (bool, error) {
	db := s.sess.db
	var n int
	err := db.sql.QueryRowContext(ctx, `WITH
		lock AS (SELECT machine_id FROM machines WHERE machine_id = $1 FOR UPDATE),
		fence AS (UPDATE work SET session_id = NULL
			WHERE machine_id = (SELECT machine_id FROM lock) AND process = $2 AND session_id = $3 AND token = $4
			RETURNING machine_id),
		stage AS (UPDATE machines SET stage = $5
			WHERE machine_id = (SELECT machine_id FROM fence) AND stage = $6 RETURNING 1),
		forget AS (DELETE FROM backoff
			WHERE machine_id = (SELECT machine_id FROM fence) AND process = $2 RETURNING 1),
		record AS (INSERT INTO history (machine_id, process, session_id, token, event, cause, at)
			SELECT machine_id, $2, $3, $4, $7, '', $8 FROM fence RETURNING 1)
		SELECT COUNT(*) FROM fence`,
		l.Machine, l.Process, l.Session, l.Token, s.proc.To, s.proc.From, EventFinished, ms(db.now())).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("bmdb: report %s of %q: %w", l.Process, l.Machine, err)
	}
	return n == 1, nil
}
