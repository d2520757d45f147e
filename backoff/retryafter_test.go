package backoff

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// retryAfterNow is the "now" of the Retry-After tests: RFC 9110's example date minus two minutes.
var retryAfterNow = time.Date(1994, time.November, 6, 8, 47, 37, 0, time.UTC)

func TestParseRetryAfterReadsRFC9110Values(t *testing.T) {
	tests := []struct {
		name  string
		value string
		want  time.Duration
		ok    bool
	}{
		{"delay-seconds", "120", 2 * time.Minute, true},
		{"zero seconds", "0", 0, true},
		{"leading zeros", "007", 7 * time.Second, true},
		{"spaces and tabs around", " \t30\t ", 30 * time.Second, true},
		{"IMF-fixdate", "Sun, 06 Nov 1994 08:49:37 GMT", 2 * time.Minute, true},
		{"RFC 850 date", "Sunday, 06-Nov-94 08:49:37 GMT", 2 * time.Minute, true},
		{"asctime date", "Sun Nov  6 08:49:37 1994", 2 * time.Minute, true},
		{"a date with spaces around", "  Sun, 06 Nov 1994 08:48:37 GMT ", time.Minute, true},
		{"a date now", "Sun, 06 Nov 1994 08:47:37 GMT", 0, true},
		{"a past date is retry now", "Sun, 06 Nov 1994 08:00:00 GMT", 0, true},
		{"negative seconds are retry now", "-5", 0, true},
		{"negative zero", "-0", 0, true},
		{"the largest seconds a Duration holds", "9223372036", 9223372036 * time.Second, true},
		{"one more saturates", "9223372037", Forever, true},
		{"huge seconds saturate", strings.Repeat("9", 400), Forever, true},
		{"a date far ahead saturates", "Fri, 31 Dec 9999 23:59:59 GMT", Forever, true},
		{"empty", "", 0, false},
		{"only spaces", "   ", 0, false},
		{"a lone minus", "-", 0, false},
		{"a plus sign", "+5", 0, false},
		{"fractional seconds", "1.5", 0, false},
		{"a unit", "5s", 0, false},
		{"hex", "0x10", 0, false},
		{"underscores", "1_000", 0, false},
		{"non-ASCII digits", "١٢", 0, false},
		{"inner space", "1 2", 0, false},
		{"a newline inside", "12\n", 0, false},
		{"garbage", "soon", 0, false},
		{"a date without its zone", "Sun, 06 Nov 1994 08:49:37", 0, false},
		{"an RFC 3339 date", "1994-11-06T08:49:37Z", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseRetryAfter(tt.value, retryAfterNow)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseRetryAfterCountsFromNow(t *testing.T) {
	const date = "Sun, 06 Nov 1994 08:49:37 GMT"
	d, ok := ParseRetryAfter(date, retryAfterNow.Add(90*time.Second))
	assert.True(t, ok)
	assert.Equal(t, 30*time.Second, d)
	d, ok = ParseRetryAfter(date, time.Time{})
	assert.True(t, ok)
	assert.Equal(t, Forever, d, "a date that far from now saturates")
	d, _ = ParseRetryAfter("10", time.Time{})
	assert.Equal(t, 10*time.Second, d, "delay-seconds do not depend on now")
}

// FuzzParseRetryAfter checks that ParseRetryAfter never panics nor returns a negative wait,
// reads every decimal as delay-seconds, and agrees with http.ParseTime on everything else; and
// that each of the three date formats of any instant reads back as the wait until it.
func FuzzParseRetryAfter(f *testing.F) {
	for _, v := range []string{"120", "-5", "", "1.5", "Sun, 06 Nov 1994 08:49:37 GMT",
		"Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", strings.Repeat("9", 30)} {
		f.Add(v, int64(784111657), int64(0))
	}
	f.Fuzz(func(t *testing.T, value string, unix, nowUnix int64) {
		now := time.Unix(nowUnix%(1<<35), 0).UTC()
		d, ok := ParseRetryAfter(value, now)
		if d < 0 || (!ok && d != 0) {
			t.Fatalf("ParseRetryAfter(%q) = %v, %v", value, d, ok)
		}
		v := strings.Trim(value, " \t")
		if date, err := http.ParseTime(v); err == nil && !isDecimal(v) {
			if want := max(date.Sub(now), 0); !ok || d != want {
				t.Fatalf("ParseRetryAfter(%q) = %v, %v; http.ParseTime says %v", value, d, ok, want)
			}
		} else if ok != isDecimal(v) {
			t.Fatalf("ParseRetryAfter(%q) = %v, %v; neither a decimal nor a date", value, d, ok)
		}
		at := time.Unix(unix%(1<<35), 0).UTC() // years 1 to about 3000
		if at.Year() < 1970 || at.Year() > 9999 {
			return // RFC 850's two-digit year is read as 1969-2068 only
		}
		for _, layout := range []string{http.TimeFormat, time.RFC850, time.ANSIC} {
			s := at.Format(layout)
			if layout == time.RFC850 && (at.Year() < 1969 || at.Year() > 2068) {
				continue
			}
			if got, ok := ParseRetryAfter(s, now); !ok || got != max(at.Sub(now), 0) {
				t.Fatalf("ParseRetryAfter(%q) = %v, %v; want %v", s, got, ok, max(at.Sub(now), 0))
			}
		}
	})
}

// isDecimal reports whether v is an optional minus and one or more ASCII digits.
func isDecimal(v string) bool {
	v, _ = strings.CutPrefix(v, "-")
	return v != "" && strings.Trim(v, "0123456789") == ""
}
