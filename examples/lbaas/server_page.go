package lbaas

import (
	"net/http"
	"strconv"
)

// pageOf cuts items to the page the request asks for (page from 1; limit 0 or none: all), or
// answers 400 for a page or limit that is not a number in range.
func pageOf[T any](w http.ResponseWriter, req *http.Request, items []T) (pageOut[T], bool) {
	q := req.URL.Query()
	n, limit := 1, 0
	var err error
	if v := q.Get("page"); v != "" {
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, "invalid page parameter")
			return pageOut[T]{}, false
		}
	}
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 0 {
			writeError(w, http.StatusBadRequest, "invalid limit parameter")
			return pageOut[T]{}, false
		}
	}
	return cutPage(items, n, limit), true
}

// pageOut is a page of a listing in the Engine's paged shape.
type pageOut[T any] struct {
	Page       int `json:"page"`
	Limit      int `json:"limit"`
	TotalItems int `json:"total_items"`
	TotalPages int `json:"total_pages"`
	Data       []T `json:"data"`
}

// cutPage returns page n (from 1) of items, limit to a page (0: all on one page).
func cutPage[T any](items []T, n, limit int) pageOut[T] {
	out := pageOut[T]{Page: n, Limit: limit, TotalItems: len(items), Data: []T{}}
	if limit == 0 {
		if len(items) > 0 {
			out.TotalPages = 1
			if n == 1 {
				out.Data = append(out.Data, items...)
			}
		}
		return out
	}
	out.TotalPages = (len(items) + limit - 1) / limit
	if n-1 < out.TotalPages { // checked first, so (n-1)*limit cannot overflow
		start := (n - 1) * limit
		out.Data = append(out.Data, items[start:min(start+limit, len(items))]...)
	}
	return out
}
