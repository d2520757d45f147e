package watch

import (
	"context"

	apiwatch "k8s.io/apimachinery/pkg/watch"
)

// initialEnd reports whether ev is the bookmark that ends a streaming list's initial events.
func (l *loop) initialEnd(apiwatch.Event) bool { return false }

// endInitial completes a streaming list at the version of its closing bookmark.
func (l *loop) endInitial(context.Context, string) error { return nil }
