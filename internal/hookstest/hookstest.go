// Package hookstest checks the rule every package of the library states for its WithHooks:
// several WithHooks combine, each non-nil field replacing the one set before it and a nil
// field leaving it. It is for the library's own tests.
package hookstest

import (
	"fmt"
	"reflect"
	"testing"
)

// CheckCombine checks that rule for the hooks struct H, every field of which is a func.
// apply gives each H to one WithHooks, in order, and returns the H in force afterwards.
func CheckCombine[H any](t *testing.T, apply func(hs ...H) H) {
	t.Helper()
	typ := reflect.TypeFor[H]()
	if typ.Kind() != reflect.Struct || typ.NumField() == 0 {
		t.Fatalf("%v is not a struct of hooks", typ)
	}
	var called string
	mark := func(h *H, field int, name string) {
		f := reflect.ValueOf(h).Elem().Field(field)
		f.Set(reflect.MakeFunc(f.Type(), func([]reflect.Value) []reflect.Value {
			called = name
			out := make([]reflect.Value, f.Type().NumOut())
			for i := range out {
				out[i] = reflect.Zero(f.Type().Out(i))
			}
			return out
		}))
	}
	// which calls field i of h and returns the name of the hook that ran, "" for none.
	which := func(h H, field int) string {
		f := reflect.ValueOf(h).Field(field)
		if f.IsNil() {
			return ""
		}
		called = ""
		args := make([]reflect.Value, f.Type().NumIn())
		for i := range args {
			args[i] = reflect.Zero(f.Type().In(i))
		}
		f.Call(args)
		return called
	}
	for i := range typ.NumField() {
		name := typ.Field(i).Name
		if typ.Field(i).Type.Kind() != reflect.Func {
			t.Fatalf("%v.%s is not a func", typ, name)
		}
		var first, others, later H
		mark(&first, i, "first")
		for j := range typ.NumField() {
			if j != i {
				mark(&others, j, fmt.Sprintf("others-%d", j))
			}
		}
		mark(&later, i, "later")

		got := apply(first, others)
		if w := which(got, i); w != "first" {
			t.Errorf("%s: a later WithHooks without it left %q in force, want the first one's", name, w)
		}
		for j := range typ.NumField() {
			if w := which(got, j); j != i && w != fmt.Sprintf("others-%d", j) {
				t.Errorf("%s: the later WithHooks's own field %s is %q", name, typ.Field(j).Name, w)
			}
		}
		if w := which(apply(first, others, later), i); w != "later" {
			t.Errorf("%s: a later non-nil field did not replace the earlier one (%q in force)", name, w)
		}
		if w := which(apply(first, *new(H)), i); w != "first" {
			t.Errorf("%s: a zero Hooks cleared it (%q in force)", name, w)
		}
		if w := which(apply(), i); w != "" {
			t.Errorf("%s: set with no WithHooks at all (%q)", name, w)
		}
	}
}
