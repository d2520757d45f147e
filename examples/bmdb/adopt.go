package bmdb

import "context"

// adopt returns the leases of the source's process that the session holds in the database
// and the source does not know: those a claim took whose answer was lost. It clears the
// suspicion when it has looked.
func (s *Source) adopt(ctx context.Context) ([]Lease, error) {
	db := s.sess.db
	rows, err := db.query(ctx, db.sql, `SELECT machine_id, token, COALESCE(idem_key, token) FROM work
		WHERE session_id = ? AND process = ?`, s.sess.id, s.proc.Name)
	if err != nil {
		return nil, err
	}
	all, err := s.scanLeases(rows)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	var orphans []Lease
	for _, l := range all {
		if _, known := s.held[l.Machine]; !known {
			orphans = append(orphans, l)
		}
	}
	s.mu.Unlock()
	s.suspect.Store(false)
	return orphans, nil
}
