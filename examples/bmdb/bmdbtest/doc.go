// Package bmdbtest is the test kit of package bmdb, the one its own tests use: a PostgreSQL
// server started from the Debian package's binaries, and a clock that moves only when told.
//
// The rules:
//
//   - [StartPostgres] starts a private server on 127.0.0.1 on a free port, with its data and
//     its unix socket in a fresh temporary directory, and stops it and removes the directory
//     when the test ends. As root it runs the server as the postgres user (initdb refuses
//     root). If the binaries are missing (/usr/lib/postgresql/*/bin), the test is skipped with
//     a message naming the Debian package postgresql, unless STEADFAST_REQUIRE_SERVERS=1,
//     when it fails.
//   - [Postgres.NewDatabase] gives each test a database of its own on a shared server.
//   - [Postgres.Crash] stops the server at once, as an immediate shutdown or a crash does, and
//     [Postgres.Restart] starts it again on the same port and data, so that a test can
//     restart the database under its clients, or keep it down for as long as it likes. Only a
//     server started [Durable] keeps every acknowledged commit through a crash.
//   - A [Clock] is safe for concurrent use; pass its Now to bmdb.WithClock.
//
// It imports nothing beyond the standard library.
package bmdbtest
