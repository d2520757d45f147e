package lbaas

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// page is one page of an Engine listing. The Engine answers a listing (with the query
// parameters page, counted from 1, and limit) in one of three shapes:
//
//	{"page": 1, "limit": 10, "total_items": 12, "total_pages": 2, "data": [...]}
//	{"state": "success", "messages": [], "data": {"page": 1, ..., "data": [...]}}
//	[...]
//
// The last has no paging figures; they are zero then.
type page struct {
	items                            []json.RawMessage
	number, limit, totalItems, total int
}

// pageJSON is the first two shapes: in the second, Data is the first shape's object.
type pageJSON struct {
	Page       int             `json:"page"`
	Limit      int             `json:"limit"`
	TotalItems int             `json:"total_items"`
	TotalPages int             `json:"total_pages"`
	Data       json.RawMessage `json:"data"`
}

var errPageShape = errors.New("not a page of a listing")

// decodePage decodes one page in any of the three shapes. Negative figures are refused; a
// missing or null data array is an empty page.
func decodePage(data []byte) (page, error) {
	p, err := decodePageDepth(data, 0)
	if err != nil {
		return page{}, fmt.Errorf("lbaas: decoding a listing: %w", err)
	}
	return p, nil
}

func decodePageDepth(data []byte, depth int) (page, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return page{}, errPageShape
	}
	switch data[0] {
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(data, &items); err != nil {
			return page{}, err
		}
		return page{items: items}, nil
	case '{':
	default:
		return page{}, errPageShape
	}
	var pj pageJSON
	if err := json.Unmarshal(data, &pj); err != nil {
		return page{}, err
	}
	inner := bytes.TrimSpace(pj.Data)
	if len(inner) > 0 && inner[0] == '{' {
		if depth > 0 {
			return page{}, errPageShape // the envelope holds a page, not another envelope
		}
		return decodePageDepth(inner, depth+1)
	}
	if pj.Page < 0 || pj.Limit < 0 || pj.TotalItems < 0 || pj.TotalPages < 0 {
		return page{}, fmt.Errorf("negative paging figures in %+v", pj)
	}
	p := page{number: pj.Page, limit: pj.Limit, totalItems: pj.TotalItems, total: pj.TotalPages}
	if len(inner) > 0 && !bytes.Equal(inner, []byte("null")) {
		if inner[0] != '[' {
			return page{}, errPageShape
		}
		if err := json.Unmarshal(inner, &p.items); err != nil {
			return page{}, err
		}
	}
	return p, nil
}

// last reports whether page n is the last one to fetch: it is empty, or the Engine's figures
// say so. A page whose entries were all seen before also ends the listing (checked by the
// caller): an Engine that ignores the page parameter answers the same page every time.
func (p page) last(n int) bool {
	switch {
	case len(p.items) == 0:
		return true
	case p.total > 0:
		return max(p.number, n) >= p.total
	case p.limit > 0:
		return len(p.items) < p.limit
	}
	return false // a bare array: fetch until a page is empty
}
