package reconcile

import (
	"testing"

	"github.com/steadfast-go/steadfast/internal/hookstest"
)

func TestWithHooksCombinesFieldByField(t *testing.T) {
	hookstest.CheckCombine(t, func(hs ...Hooks) Hooks {
		var c runConfig
		for _, h := range hs {
			WithHooks(h)(&c)
		}
		return c.hooks
	})
}

func TestWithQueueHooksCombinesFieldByField(t *testing.T) {
	hookstest.CheckCombine(t, func(hs ...QueueHooks) QueueHooks {
		var c queueConfig
		for _, h := range hs {
			WithQueueHooks(h)(&c)
		}
		return c.hooks
	})
}
