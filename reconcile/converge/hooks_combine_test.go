package converge

import (
	"testing"

	"github.com/steadfast-go/steadfast/internal/hookstest"
)

func TestWithHooksCombinesFieldByField(t *testing.T) {
	hookstest.CheckCombine(t, func(hs ...Hooks) Hooks {
		var o options
		for _, h := range hs {
			WithHooks(h)(&o)
		}
		return o.hooks
	})
}
