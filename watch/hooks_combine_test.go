package watch

import (
	"testing"

	"github.com/steadfast-go/steadfast/internal/hookstest"
)

func TestWithHooksCombinesFieldByField(t *testing.T) {
	hookstest.CheckCombine(t, func(hs ...Hooks) Hooks {
		var c config
		for _, h := range hs {
			WithHooks(h)(&c)
		}
		return c.hooks
	})
}
