package conntest_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/connctx/conntest"
)

func TestLockLeasesExpireOnTheFakeClockAndTheTokenGrowsOnEveryChangeOfHolder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		l := conntest.NewLock()
		a, b := connctx.Claim{Identity: "a", Duration: 10 * time.Second}, connctx.Claim{Identity: "b", Duration: 10 * time.Second}
		ha, err := l.Acquire(ctx, a)
		require.NoError(t, err)
		assert.Equal(t, connctx.Holder{Identity: "a", Token: 1}, ha)
		got, _ := l.Acquire(ctx, b)
		assert.Equal(t, ha, got, "held by a: b is told so")
		again, _ := l.Acquire(ctx, a)
		assert.Equal(t, ha, again, "the holder acquiring what it holds keeps its token")

		time.Sleep(9 * time.Second)
		got, _ = l.Renew(ctx, a, ha)
		assert.Equal(t, ha, got, "renewed: the token stays")
		time.Sleep(9 * time.Second)
		assert.Equal(t, ha, l.Holder(), "still held: the renewal counted from its own time")
		time.Sleep(time.Second)
		assert.Equal(t, connctx.Holder{}, l.Holder(), "expired")

		hb, _ := l.Acquire(ctx, b)
		assert.Equal(t, connctx.Holder{Identity: "b", Token: 2}, hb)
		got, _ = l.Renew(ctx, a, ha)
		assert.Equal(t, hb, got, "a renewal of a lost lease names the new holder")
		got, _ = l.Release(ctx, a, ha)
		assert.Equal(t, hb, got, "a release by another changes nothing")
		got, _ = l.Release(ctx, b, hb)
		assert.Equal(t, connctx.Holder{}, got)
		ha2, _ := l.Acquire(ctx, a)
		assert.Equal(t, uint64(3), ha2.Token, "a free lease acquired again has a new token")
		hc := l.Take("c", time.Second)
		assert.Equal(t, connctx.Holder{Identity: "c", Token: 4}, hc)
		assert.Equal(t, []connctx.Holder{ha, hb, ha2, hc}, l.Holders())
		assert.Equal(t, 5, l.Calls("acquire"))
		assert.Equal(t, 2, l.Calls("renew"))
	})
}

func TestLockFailsAndHangsOnCommand(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := conntest.NewLock()
		c := connctx.Claim{Identity: "a", Duration: time.Second}
		l.FailNext(1, nil)
		_, err := l.Acquire(t.Context(), c)
		assert.ErrorIs(t, err, conntest.ErrLock)
		_, err = l.Acquire(t.Context(), c)
		assert.NoError(t, err)

		resume := l.Hang()
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		_, err = l.Renew(ctx, c, l.Holder())
		assert.True(t, errors.Is(err, context.DeadlineExceeded), "a hung call ends with its context: %v", err)
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, _ = l.Release(t.Context(), c, connctx.Holder{})
		}()
		synctest.Wait()
		select {
		case <-done:
			t.Fatal("Release returned while the lock hangs")
		default:
		}
		resume()
		resume()
		<-done
	})
}
