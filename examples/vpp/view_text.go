package vpp

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// sinceLayout is how WriteView prints since: UTC, to the millisecond.
const sinceLayout = "2006-01-02T15:04:05.000Z"

// WriteView writes frontend views as plain text, the operator endpoint's text form: per
// frontend a header line with the VIP, its parameters and the active pool, then one aligned
// row per member with its pool, configured, effective and dataplane weight, state and since
// (UTC). The dataplane column shows "?" when the controller does not know what the dataplane
// holds, and "-" when the dataplane has no entry for the member.
func WriteView(w io.Writer, views []FrontendView) error {
	for i, v := range views {
		if i > 0 {
			if _, err := fmt.Fprintln(w); err != nil {
				return err
			}
		}
		if err := writeFrontend(w, v); err != nil {
			return err
		}
	}
	return nil
}

func writeFrontend(w io.Writer, v FrontendView) error {
	_, err := fmt.Fprintf(w, "frontend %s: %v %v/%d encap %v new_len %d, active pool %s\n",
		v.Name, v.VIP, v.Protocol, v.Port, v.Encap, v.NewFlowsTableLength, v.ActivePool)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  backend\tpool\tconfigured\teffective\tdataplane\tstate\tsince")
	for _, b := range v.Backends {
		held := "?"
		switch {
		case v.DataplaneKnown && b.Dataplane == nil:
			held = "-"
		case v.DataplaneKnown:
			held = fmt.Sprint(*b.Dataplane)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%d\t%s\t%v\t%s\n", b.Backend, b.Pool, b.Configured, b.Effective,
			held, b.State, b.Since.UTC().Format(sinceLayout))
	}
	return tw.Flush()
}
