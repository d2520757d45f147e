package bmdb

import (
	"errors"
	"fmt"
)

var (
	// ErrBadDSN is matched by the error [Open] returns for a data source name it cannot use:
	// neither a postgres:// URL nor a SQLite file.
	ErrBadDSN = errors.New("bmdb: bad data source name")
	// ErrSchemaTooNew is matched by the error [Open] returns when the database was migrated by a
	// newer version of this package; the error is a *[SchemaError].
	ErrSchemaTooNew = errors.New("bmdb: database schema is newer than this program")
	// ErrLeaseLost is matched by the error [Source.Done] returns when the lease it reports on is no
	// longer held: it expired, or another session took it over. Nothing was written. The error
	// is a *[LeaseLostError].
	ErrLeaseLost = errors.New("bmdb: lease lost")
	// ErrSessionLost is matched by the cause of the context [Session.Run] gives its function when
	// the session's heartbeat fails for longer than the session can bear, and by the error
	// Session.Run then returns.
	ErrSessionLost = errors.New("bmdb: session lost")
	// ErrSessionExpired is returned by a heartbeat of a session that has expired or was
	// collected: it can never be renewed.
	ErrSessionExpired = errors.New("bmdb: session expired")
)

// SchemaError says which schema version a database has and which this package knows.
type SchemaError struct {
	Have, Want int
}

// Error says both versions and what to do.
func (e *SchemaError) Error() string {
	return fmt.Sprintf("bmdb: database schema is version %d, this program knows up to %d: upgrade the program", e.Have, e.Want)
}

// Is reports whether target is [ErrSchemaTooNew].
func (e *SchemaError) Is(target error) bool { return target == ErrSchemaTooNew }

// LeaseLostError says which lease a late report was about.
type LeaseLostError struct {
	Lease Lease
}

// Error names the lease.
func (e *LeaseLostError) Error() string {
	return fmt.Sprintf("bmdb: lease lost: %s of machine %q, session %d, token %d (expired or taken over)",
		e.Lease.Process, e.Lease.Machine, e.Lease.Session, e.Lease.Token)
}

// Is reports whether target is [ErrLeaseLost].
func (e *LeaseLostError) Is(target error) bool { return target == ErrLeaseLost }
