package bmdb

// SetReportHook makes every report of db that runs in a transaction (all but successes on
// PostgreSQL) call fn with its lease inside the transaction, after the fence wrote the
// lease's row: a test freezes a process there.
func SetReportHook(db *DB, fn func(Lease)) { db.inReport = fn }

// CauseOf is causeOf, for the fuzz test.
var CauseOf = causeOf
