package converge

import (
	"errors"
	"fmt"
	"strings"
)

// Conditions a [StuckError] reports, matched with errors.Is.
var (
	// ErrNoProgress: a round of destroys destroyed nothing, or resources whose destroy
	// returned nil were still observed when the wait for them gave up; the resources that
	// could not be destroyed are named.
	ErrNoProgress = errors.New("converge: a destroy round made no progress")
	// ErrNotReady: resources stayed pending until the ready policy gave up. The
	// [StuckError]'s Last is then the *backoff.ExhaustedError of that wait, so the error also
	// matches backoff.ErrExhausted.
	ErrNotReady = errors.New("converge: resources did not become ready")
	// ErrReplaceLimit: resources failed (their create call returned an error, or the resource
	// created was found in [PhaseFailed]) as many times as [WithReplaceLimit] allows.
	ErrReplaceLimit = errors.New("converge: resources failed too many times")
)

// ErrDuplicateKey is the error of a pass that holds two different resources (by [Same]) under
// one key: the observer listed them (or one resource in two phases), or the steps of a pass
// planned them for the same change (both to create, or both to destroy, in one list or in
// two steps). The same resource twice is merged, not refused, and a destroy and a create
// under one key are a replacement (see the package doc). [Reconciler.Plan] and
// [Reconciler.Reconcile] refuse such a pass before doing anything of it, and return an error
// matching ErrDuplicateKey that names the key: wrapped in a [*StepError] naming the step for
// the steps, after "observe" for the observer. It is the caller's bug, so Reconcile does not
// retry it.
var ErrDuplicateKey = errors.New("converge: duplicate key")

// ErrBudgetExhausted is the reason of the *backoff.ExhaustedError that
// [Reconciler.Reconcile] returns when its total budget ([WithBudget]) runs out: the
// error matches both ErrBudgetExhausted and backoff.ErrExhausted, and keeps the last error
// seen before the budget ran out.
var ErrBudgetExhausted = errors.New("converge: budget exhausted")

// StuckError is the error [Reconciler.Reconcile] returns when it cannot go on: it names the
// resources (by their key) that are stuck and why. It matches its Reason ([ErrNoProgress],
// [ErrNotReady] or [ErrReplaceLimit]) and its Last error with errors.Is and errors.As.
type StuckError struct {
	// Reason is ErrNoProgress, ErrNotReady or ErrReplaceLimit.
	Reason error
	// Resources are the keys of the stuck resources, sorted.
	Resources []string
	// Last is what the stuck resources last returned, joined; for ErrNotReady, the
	// *backoff.ExhaustedError of the wait. It may be nil.
	Last error
}

// Error names the reason, the resources and the last error.
func (e *StuckError) Error() string {
	msg := fmt.Sprintf("%v: %s", e.Reason, strings.Join(e.Resources, ", "))
	if e.Last != nil {
		msg += ": " + e.Last.Error()
	}
	return msg
}

// Unwrap returns the reason and the last error, so errors.Is and errors.As see both.
func (e *StuckError) Unwrap() []error {
	if e.Last == nil {
		return []error{e.Reason}
	}
	return []error{e.Reason, e.Last}
}

// StepError is the error of a step's Plan, naming the step. Unwrap returns the step's error.
type StepError struct {
	Step string
	Err  error
}

// Error names the step and its error.
func (e *StepError) Error() string { return fmt.Sprintf("converge: %s: %v", e.Step, e.Err) }

// Unwrap returns the step's error.
func (e *StepError) Unwrap() error { return e.Err }
