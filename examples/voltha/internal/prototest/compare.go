package prototest

import (
	"testing"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// SameAsPublic fails the test unless everything ours declares is declared the same way by the
// public schema: the package; every service by its full name, with every method's name,
// request and response types, and streaming; every message by its full name, with every
// field's name, number, kind, cardinality and message type. The public schema may declare more.
func SameAsPublic(t testing.TB, ours protoreflect.FileDescriptor, public *protoregistry.Files) {
	t.Helper()
	for i := range ours.Services().Len() {
		svc := ours.Services().Get(i)
		d, err := public.FindDescriptorByName(svc.FullName())
		if err != nil {
			t.Errorf("service %s: not in the public schema", svc.FullName())
			continue
		}
		sameMethods(t, svc, d.(protoreflect.ServiceDescriptor))
	}
	for i := range ours.Messages().Len() {
		msg := ours.Messages().Get(i)
		d, err := public.FindDescriptorByName(msg.FullName())
		if err != nil {
			t.Errorf("message %s: not in the public schema", msg.FullName())
			continue
		}
		sameFields(t, msg, d.(protoreflect.MessageDescriptor))
	}
}

func sameMethods(t testing.TB, ours, public protoreflect.ServiceDescriptor) {
	t.Helper()
	for i := range ours.Methods().Len() {
		m := ours.Methods().Get(i)
		p := public.Methods().ByName(m.Name())
		switch {
		case p == nil:
			t.Errorf("method %s: not in the public schema", m.FullName())
		case m.Input().FullName() != p.Input().FullName() || m.Output().FullName() != p.Output().FullName():
			t.Errorf("method %s: (%s) %s, the public schema has (%s) %s", m.FullName(),
				m.Input().FullName(), m.Output().FullName(), p.Input().FullName(), p.Output().FullName())
		case m.IsStreamingClient() != p.IsStreamingClient() || m.IsStreamingServer() != p.IsStreamingServer():
			t.Errorf("method %s: streaming differs from the public schema", m.FullName())
		}
	}
}

func sameFields(t testing.TB, ours, public protoreflect.MessageDescriptor) {
	t.Helper()
	for i := range ours.Fields().Len() {
		f := ours.Fields().Get(i)
		p := public.Fields().ByNumber(f.Number())
		switch {
		case p == nil:
			t.Errorf("field %s = %d: not in the public schema", f.FullName(), f.Number())
		case f.Name() != p.Name() || f.Kind() != p.Kind() || f.Cardinality() != p.Cardinality():
			t.Errorf("field %s = %d: %v %v %s, the public schema has %v %v %s", f.FullName(), f.Number(),
				f.Cardinality(), f.Kind(), f.Name(), p.Cardinality(), p.Kind(), p.Name())
		case f.Message() != nil && f.Message().FullName() != p.Message().FullName():
			t.Errorf("field %s: of type %s, the public schema has %s", f.FullName(), f.Message().FullName(), p.Message().FullName())
		}
	}
}
