// Package hookset is the one body of every package's WithHooks: several WithHooks combine
// field by field, a non-nil field replacing the one set before it and a nil field leaving it.
package hookset

import "reflect"

// Combine sets every non-nil field of src into *dst and leaves the others. H is a struct of
// funcs (each package's Hooks); anything else is a programmer error of the library's, caught
// by its tests.
func Combine[H any](dst *H, src H) {
	d, s := reflect.ValueOf(dst).Elem(), reflect.ValueOf(src)
	for i := range s.NumField() {
		if f := s.Field(i); !f.IsNil() {
			d.Field(i).Set(f)
		}
	}
}
