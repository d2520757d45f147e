package lbaas

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// maxPages bounds one listing: an Engine that never ends a listing is an error, not a hang.
const maxPages = 10000

// Get returns the resource of kind k and identifier id (GET /api/LBaaS/v1/{kind}.json/{id}).
func (c *Client) Get(ctx context.Context, k Kind, id string) (Resource, error) {
	data, err := c.do(ctx, request{method: http.MethodGet, path: k.path() + "/" + url.PathEscape(id)})
	if err != nil {
		return Resource{}, err
	}
	return decodeResource(k, data)
}

// Create creates r (POST /api/LBaaS/v1/{kind}.json) and returns it as the Engine answered. A
// create the Engine refused (4xx) or that never reached it is not done; one that failed after
// the Engine may have acted (a 5xx, a timeout, a broken connection) is not repeated and returns
// an error matching [ErrOutcomeUnknown]: the resource may exist, untagged, and the caller
// looks for it (see [Reconciler]).
func (c *Client) Create(ctx context.Context, r Resource) (Resource, error) {
	body, err := encodeCreate(r)
	if err != nil {
		return Resource{}, err
	}
	data, err := c.do(ctx, request{method: http.MethodPost, path: r.Kind.path(), body: body, once: true})
	if err != nil {
		return Resource{}, err
	}
	return decodeResource(r.Kind, data)
}

// Destroy destroys the resource (DELETE /api/LBaaS/v1/{kind}.json/{id}); one that is already
// gone counts as destroyed.
func (c *Client) Destroy(ctx context.Context, k Kind, id string) error {
	_, err := c.do(ctx, request{method: http.MethodDelete, path: k.path() + "/" + url.PathEscape(id)})
	if IsNotFound(err) {
		return nil
	}
	return err
}

// List returns the resources of kind k whose parent (filter "load_balancer", "frontend" or
// "backend") is parentID, every page of them; filter "" lists them all.
func (c *Client) List(ctx context.Context, k Kind, filter, parentID string) ([]Ref, error) {
	q := url.Values{}
	if filter != "" {
		q.Set("filters", url.Values{filter: {parentID}}.Encode())
	}
	return c.list(ctx, k.path(), q)
}

// Tagged returns the resources of any type that carry tag (the core API's listing by
// tag_name). The Engine answers 422 for a tag nothing carries; that is an empty list.
func (c *Client) Tagged(ctx context.Context, tag string) ([]Ref, error) {
	refs, err := c.list(ctx, corePath, url.Values{"tag_name": {tag}})
	if hasStatus(err, http.StatusUnprocessableEntity) {
		return nil, nil
	}
	return refs, err
}

// CoreResource returns the resource as the core API shows it: its type and its tags.
func (c *Client) CoreResource(ctx context.Context, id string) (CoreResource, error) {
	data, err := c.do(ctx, request{method: http.MethodGet, path: corePath + "/" + url.PathEscape(id)})
	if err != nil {
		return CoreResource{}, err
	}
	return decodeCoreResource(data)
}

// Tag tags the resource (POST /api/core/v1/resource.json/{id}/tags/{tag}, whose body is the
// JSON string "": the Engine answers 400 to null). A 422, already tagged, is success; a 409,
// the Engine busy tagging, is retried. Tag calls of one Client run one at a time.
func (c *Client) Tag(ctx context.Context, id, tag string) error {
	c.tagMu.Lock()
	defer c.tagMu.Unlock()
	_, err := c.do(ctx, request{method: http.MethodPost, path: tagPath(id, tag), body: []byte(`""`), retryConflict: true})
	if hasStatus(err, http.StatusUnprocessableEntity) {
		return nil
	}
	return err
}

func tagPath(id, tag string) string {
	return corePath + "/" + url.PathEscape(id) + "/tags/" + url.PathEscape(tag)
}

// list fetches every page of a listing at path and returns its entries, each identifier once.
func (c *Client) list(ctx context.Context, path string, query url.Values) ([]Ref, error) {
	var l listing
	for n := 1; ; n++ {
		if n > maxPages {
			return nil, fmt.Errorf("lbaas: listing %s: more than %d pages", path, maxPages)
		}
		q := url.Values{}
		for k, v := range query {
			q[k] = v
		}
		q.Set("page", strconv.Itoa(n))
		q.Set("limit", strconv.Itoa(c.pageLimit))
		data, err := c.do(ctx, request{method: http.MethodGet, path: path, query: q})
		if err != nil {
			return nil, err
		}
		done, err := l.add(data, n)
		if err != nil {
			return nil, fmt.Errorf("lbaas: listing %s: %w", path, err)
		}
		if done {
			return l.refs, nil
		}
	}
}

// listing collects the entries of a listing's pages, each identifier once.
type listing struct {
	refs []Ref
	seen map[string]bool
}

// add adds page n's entries and reports whether it was the last page: see [page.last]; a
// page with no entry not seen before is the last too.
func (l *listing) add(data []byte, n int) (bool, error) {
	p, err := decodePage(data)
	if err != nil {
		return false, err
	}
	if l.seen == nil {
		l.seen = map[string]bool{}
	}
	fresh := 0
	for _, item := range p.items {
		var r Ref
		if err := json.Unmarshal(item, &r); err != nil {
			return false, fmt.Errorf("an entry: %w", err)
		}
		if r.Identifier == "" {
			return false, fmt.Errorf("an entry without an identifier: %.100s", item)
		}
		if !l.seen[r.Identifier] {
			l.seen[r.Identifier] = true
			l.refs = append(l.refs, r)
			fresh++
		}
	}
	return fresh == 0 || p.last(n), nil
}
