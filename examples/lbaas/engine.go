package lbaas

import (
	"context"
	"errors"
	"fmt"

	"github.com/steadfast-go/steadfast/reconcile/converge"
)

// Create creates r and tags it for the service, never making r twice. A create whose answer
// was lost (see [Client.Create]) may have made r, untagged, where no observe finds it; so
// before it posts, and again after a lost answer, Create looks for what such a create left:
// the resources of r's kind under r's parent with r's name that carry no service's tag. The
// first that has r's spec and is not failed is adopted (tagged and returned as created); any
// other is destroyed. If the tag cannot be made, the resource would be invisible to the next
// observe, so it is destroyed again and the create reported as failed.
func (x api) Create(ctx context.Context, r Resource) (Resource, error) {
	if got, ok, err := x.adopt(ctx, r); err != nil || ok {
		return got, err
	}
	created, err := x.c.Create(ctx, r)
	if errors.Is(err, ErrOutcomeUnknown) {
		got, ok, aerr := x.adopt(ctx, r)
		if aerr == nil && ok {
			return got, nil
		}
		return Resource{}, errors.Join(err, aerr) // the next Create looks again first
	}
	if err != nil {
		return Resource{}, err
	}
	if err := x.c.Tag(ctx, created.Identifier, x.svc.Tag()); err != nil {
		if derr := x.c.Destroy(context.WithoutCancel(ctx), created.Kind, created.Identifier); derr != nil {
			return Resource{}, fmt.Errorf("lbaas: tagging %s: %w; destroying it again: %w", created, err, derr)
		}
		return Resource{}, fmt.Errorf("lbaas: tagging %s: %w", created, err)
	}
	return created, nil
}

// adopt looks for what a lost create of r left (see Create), adopts the first that fits and
// destroys the others. It reports whether it adopted one.
func (x api) adopt(ctx context.Context, r Resource) (Resource, bool, error) {
	filter, parent := r.parent()
	refs, err := x.c.List(ctx, r.Kind, filter, parent)
	if err != nil {
		return Resource{}, false, fmt.Errorf("lbaas: looking for an untagged %s: %w", r, err)
	}
	var adopted Resource
	found := false
	for _, ref := range refs {
		if ref.Name != r.Name {
			continue
		}
		got, orphan, err := x.orphan(ctx, r.Kind, ref.Identifier)
		if err != nil {
			return Resource{}, false, err
		}
		if _, p := got.parent(); !orphan || p != parent {
			continue // claimed, gone, or under another parent (an Engine that ignored the filter)
		}
		if !found && got.Spec() == r && got.State.Phase() != converge.PhaseFailed {
			if err := x.c.Tag(ctx, got.Identifier, x.svc.Tag()); err != nil {
				return Resource{}, false, fmt.Errorf("lbaas: tagging the untagged %s: %w", got, err)
			}
			x.log.Info("lbaas: adopted what a lost create left", "resource", got.String(), "identifier", got.Identifier)
			adopted, found = got, true
			continue
		}
		if err := x.c.Destroy(ctx, got.Kind, got.Identifier); err != nil {
			return Resource{}, false, fmt.Errorf("lbaas: destroying the untagged %s: %w", got, err)
		}
		x.log.Info("lbaas: destroyed what a lost create left", "resource", got.String(), "identifier", got.Identifier,
			"state", got.State.String())
	}
	return adopted, found, nil
}

// orphan reads the resource and reports whether it carries no service's tag. One gone is not.
func (x api) orphan(ctx context.Context, k Kind, id string) (Resource, bool, error) {
	core, err := x.c.CoreResource(ctx, id)
	if IsNotFound(err) {
		return Resource{}, false, nil
	}
	if err != nil {
		return Resource{}, false, fmt.Errorf("lbaas: reading the tags of %s %q: %w", k, id, err)
	}
	if core.claimed() {
		return Resource{}, false, nil
	}
	got, err := x.c.Get(ctx, k, id)
	if IsNotFound(err) {
		return Resource{}, false, nil
	}
	if err != nil {
		return Resource{}, false, fmt.Errorf("lbaas: reading %s %q: %w", k, id, err)
	}
	return got, true, nil
}

// Destroy destroys r; one already gone counts as destroyed.
func (x api) Destroy(ctx context.Context, r Resource) error {
	return x.c.Destroy(ctx, r.Kind, r.Identifier)
}

// Refresh reads r's phase now.
func (x api) Refresh(ctx context.Context, r Resource) (converge.Phase, error) {
	got, err := x.c.Get(ctx, r.Kind, r.Identifier)
	if err != nil {
		return converge.PhasePending, err
	}
	return got.State.Phase(), nil
}
