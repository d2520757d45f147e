package bmdb_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/steadfast-go/steadfast/examples/bmdb"
)

// FuzzParseDSN feeds data source names, as a user or a config file gives them, to the parser
// Open uses: it never panics, refuses only with ErrBadDSN, and what it accepts is either a
// PostgreSQL URL the driver can configure or a SQLite file with no parameters of its own.
func FuzzParseDSN(f *testing.F) {
	for _, s := range []string{"", "sqlite:", "bmdb.sqlite", "sqlite:/tmp/x.db", "file:x.db", "/tmp/x?mode=ro",
		"postgres://postgres@127.0.0.1:5432/bmdb?sslmode=disable", "postgresql://u:p@h/db?statement_timeout=100",
		"postgres://[::1", "postgres://h/db?connect_timeout=abc", "mysql://root@localhost/x", "postgres://%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, dsn string) {
		name, source, err := bmdb.ParseDSN(dsn)
		if err != nil {
			if !errors.Is(err, bmdb.ErrBadDSN) {
				t.Fatalf("%q: an error that is not ErrBadDSN: %v", dsn, err)
			}
			return
		}
		switch name {
		case "postgres":
			if source != dsn {
				t.Fatalf("%q: a PostgreSQL URL is passed on as it is, got %q", dsn, source)
			}
		case "sqlite":
			path, query, ok := strings.Cut(strings.TrimPrefix(source, "file:"), "?")
			if !ok || strings.ContainsAny(path, "?#\x00") || path == "" || !strings.HasPrefix(query, "_pragma=") {
				t.Fatalf("%q: a SQLite source must be a bare path and our parameters, got %q", dsn, source)
			}
		default:
			t.Fatalf("%q: accepted with no dialect", dsn)
		}
	})
}

// FuzzCauseOf feeds error texts, as a provider returns them, to what the history stores as a
// failure's cause: always valid UTF-8 with no NUL (a PostgreSQL text column refuses both), at
// most MaxCause bytes, and the text itself when it already was such.
func FuzzCauseOf(f *testing.F) {
	for _, s := range []string{"", "BMC unreachable", strings.Repeat("é", 400), "a\x00b", "\xff\xfe", strings.Repeat("x", 499) + "€"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got := bmdb.CauseOf(errors.New(text))
		if !utf8.ValidString(got) || strings.ContainsRune(got, 0) || len(got) > bmdb.MaxCause {
			t.Fatalf("cause of %q is %q: want valid UTF-8, no NUL, at most %d bytes", text, got, bmdb.MaxCause)
		}
		if utf8.ValidString(text) && !strings.ContainsRune(text, 0) && len(text) <= bmdb.MaxCause && got != text {
			t.Fatalf("cause of %q is %q: a text that fits is kept", text, got)
		}
	})
}
