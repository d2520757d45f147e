package bmdb

import "database/sql"

// SetReportHook makes every report of db that runs in a transaction (all but successes on
// PostgreSQL) call fn with its lease inside the transaction, after the fence wrote the
// lease's row: a test freezes a process there.
func SetReportHook(db *DB, fn func(Lease)) { db.inReport = fn }

// CauseOf is causeOf, for the fuzz test.
var CauseOf = causeOf

// SQL returns db's connection pool, for tests that look at its connections' settings.
func SQL(db *DB) *sql.DB { return db.sql }

// ParseDSN is parseDSN, for the fuzz test: the dialect's name and the driver's source; for
// PostgreSQL, it also makes the driver's configuration, as Open would.
func ParseDSN(dsn string) (string, string, error) {
	d, source, err := parseDSN(dsn)
	if err == nil && d.name == "postgres" {
		_, err = pgConfig(source, DefaultSessionTTL)
	}
	return d.name, source, err
}

// MaxCause is maxCause.
const MaxCause = maxCause

// SetJitter makes src draw the jitter of its backoffs from u instead of math/rand.
func SetJitter(src *Source, u func() float64) { src.jitter = u }
