package bmdb

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
)

// parseDSN picks the dialect of dsn and the driver's data source name. A PostgreSQL URL is
// checked by parsing it as the driver will.
func parseDSN(dsn string) (dialect, string, error) {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		if _, err := pgx.ParseConfig(dsn); err != nil {
			return dialect{}, "", fmt.Errorf("%w: %q: %v", ErrBadDSN, dsn, err)
		}
		return postgresDialect, dsn, nil
	case strings.Contains(dsn, "://"), dsn == "", dsn == "sqlite:":
		return dialect{}, "", fmt.Errorf("%w: %q: want postgres://... or a SQLite file path", ErrBadDSN, dsn)
	}
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
	if path == "" || strings.ContainsAny(path, "?#\x00") {
		return dialect{}, "", fmt.Errorf("%w: %q: a SQLite path takes no parameters (want a file path, or postgres://...)", ErrBadDSN, dsn)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(wal)")
	q.Add("_pragma", "synchronous(normal)")
	q.Add("_pragma", "foreign_keys(on)")
	q.Set("_txlock", "immediate")
	return sqliteDialect, "file:" + path + "?" + q.Encode(), nil
}

// pgConfig is the driver's configuration for a PostgreSQL URL, with every wait of its
// connections bounded from ttl, and a connection attempt by ttl: a setting the URL gives
// (connect_timeout=...) is kept.
func pgConfig(dsn string, ttl time.Duration) (*pgx.ConnConfig, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrBadDSN, dsn, err)
	}
	params := map[string]string{
		// A claim walks the machines_stage index in order and stops after a batch. With the
		// statistics of a stage that just filled up (new machines, or machines that just moved
		// on from the previous stage) the planner would rather read the whole stage through a
		// bitmap and sort it, which makes a claim cost the size of the stage.
		"enable_bitmapscan": "off",
		// The statements of this package are few and run all the time: plan them once per
		// connection, not once per call (the plans do not depend on the values).
		"plan_cache_mode": "force_generic_plan",
	}
	for name, d := range waitBounds(ttl) {
		params[name] = strconv.FormatInt(max(d.Milliseconds(), 1), 10)
	}
	for name, v := range params {
		if _, set := cfg.RuntimeParams[name]; !set {
			cfg.RuntimeParams[name] = v
		}
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = ttl
	}
	// A call whose context ends asks the server to cancel its statement, so that the
	// connection survives for the next call; only a server that does not answer that within
	// a quarter of the TTL loses the connection.
	cfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: c, DeadlineDelay: ttl / 4}
	}
	return cfg, nil
}

// waitBounds are the PostgreSQL settings that bound how long a connection waits, chosen from
// the session TTL so that no wait outlasts a session: a lock wait ends after a tenth of it, a
// statement after a quarter, and a transaction left open by a frozen or vanished process is
// ended by the server after a quarter, freeing its locks long before its leases expire.
func waitBounds(ttl time.Duration) map[string]time.Duration {
	return map[string]time.Duration{
		"lock_timeout":                        ttl / 10,
		"statement_timeout":                   ttl / 4,
		"idle_in_transaction_session_timeout": ttl / 4,
	}
}
