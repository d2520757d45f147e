package connctx_test

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/connctx/conntest"
)

func TestNewLeaderRejectsBadInputWithErrInvalid(t *testing.T) {
	lock, session := conntest.NewLock(), (&terms{}).session()
	var nilLock *conntest.Lock
	tests := []struct {
		name    string
		lock    connctx.Lock
		session connctx.LeaderFunc
		opts    []connctx.LeaseOption
	}{
		{"nil lock", nil, session, nil},
		{"typed nil lock", nilLock, session, nil},
		{"nil session", lock, nil, nil},
		{"renew interval zero", lock, session, []connctx.LeaseOption{connctx.WithRenewInterval(0)}},
		{"renew interval negative", lock, session, []connctx.LeaseOption{connctx.WithRenewInterval(-time.Second)}},
		{"renew deadline not above the interval", lock, session, []connctx.LeaseOption{connctx.WithRenewDeadline(2 * time.Second)}},
		{"lease duration not above the deadline", lock, session, []connctx.LeaseOption{connctx.WithLeaseDuration(10 * time.Second)}},
		{"empty identity", lock, session, []connctx.LeaseOption{connctx.WithIdentity("")}},
		{"bad acquire policy", lock, session, []connctx.LeaseOption{connctx.WithDialPolicy(backoff.Policy{Multiplier: 0.5})}},
		{"negative healthy-after", lock, session, []connctx.LeaseOption{connctx.WithHealthyAfter(-1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := connctx.NewLeader(tt.lock, tt.session, tt.opts...)
			assert.ErrorIs(t, err, connctx.ErrInvalid)
			assert.Nil(t, l)
		})
	}
}

func TestNilLeaseOptionsAreAbsentAndTheDefaultIdentityIsUnique(t *testing.T) {
	var nilOption connctx.Option
	a, err := connctx.NewLeader(conntest.NewLock(), (&terms{}).session(), nil, nilOption)
	require.NoError(t, err)
	b, err := connctx.NewLeader(conntest.NewLock(), (&terms{}).session())
	require.NoError(t, err)
	assert.NotEmpty(t, a.Identity())
	assert.NotEqual(t, a.Identity(), b.Identity())
	assert.Equal(t, a.Identity(), a.Status().Identity)
	assert.Equal(t, connctx.LeaderStopped, a.Status().State, "before Run")
}

func TestRunRejectsANilContextAZeroLeaderAndASecondRunWithErrInvalid(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, err := connctx.NewLeader(conntest.NewLock(), (&terms{}).session(), timings("me")...)
		require.NoError(t, err)
		var nilCtx context.Context
		assert.ErrorIs(t, l.Run(nilCtx), connctx.ErrInvalid)
		assert.ErrorIs(t, (&connctx.Leader{}).Run(t.Context()), connctx.ErrInvalid)
		var nilLeader *connctx.Leader
		assert.ErrorIs(t, nilLeader.Run(t.Context()), connctx.ErrInvalid)

		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- l.Run(ctx) }()
		synctest.Wait()
		assert.ErrorIs(t, l.Run(ctx), connctx.ErrInvalid, "a second Run while one runs")
		cancel()
		require.NoError(t, <-done)
		ctx, cancel = context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		assert.NoError(t, l.Run(ctx), "Run again after the first returned")
	})
}

func TestStatusReportsTheStateTheHolderAndTheLeasesTimes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lock := conntest.NewLock()
		other := lock.Take("other", leaseFor)
		rec := &terms{started: make(chan connctx.Lease, 1)}
		l, stop := runLeader(t, lock, rec.session(), timings("me")...)
		synctest.Wait()
		st := l.Status()
		assert.Equal(t, connctx.LeaderAcquiring, st.State)
		assert.Equal(t, other, st.Holder, "the holder the attempt found")
		assert.Zero(t, st.Term)

		lease := <-rec.started
		time.Sleep(renewEvery)
		synctest.Wait()
		st = l.Status()
		assert.Equal(t, connctx.LeaderLeading, st.State)
		assert.Equal(t, "leading", st.State.String())
		assert.Equal(t, lease.Holder, st.Holder)
		assert.Equal(t, 1, st.Term)
		assert.True(t, st.Renewed.After(lease.Acquired), "renewed since the acquire")
		assert.Equal(t, st.Renewed.Add(renewWithin), st.Deadline)
		assert.NoError(t, st.LastError, "a lease held by another is not an error")

		lock.FailNext(1, nil)
		time.Sleep(renewEvery)
		synctest.Wait()
		assert.ErrorIs(t, l.Status().LastError, conntest.ErrLock)
		require.NoError(t, stop())
		st = l.Status()
		assert.Equal(t, connctx.LeaderStopped, st.State)
		assert.Equal(t, connctx.Holder{}, st.Holder, "released")
		assert.True(t, st.Deadline.IsZero())
		assert.Equal(t, time.Now(), st.Since)
	})
}

func TestLeaseErrorsReadWell(t *testing.T) {
	h := connctx.Holder{Identity: "b", Token: 7}
	assert.Equal(t, `connctx: lease lost: held by "b" with token 7`, (&connctx.LeaseLostError{Holder: h}).Error())
	assert.Equal(t, `connctx: lease lost: held by nobody`, (&connctx.LeaseLostError{}).Error())
	assert.Equal(t, `connctx: lease lost: not renewed before its deadline`, (&connctx.LeaseLostError{Expired: true}).Error())
	assert.Equal(t, `connctx: lease held by another: "b" with token 7`, (&connctx.HeldError{Holder: h}).Error())
	assert.True(t, strings.HasPrefix(connctx.LeaderState(9).String(), "invalid"))
}
