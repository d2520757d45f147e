package vpp

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// Row is one line of a frontend table: a backend, its pool, its state, its configured weight
// and the weight the dataplane holds (Effective; -1 when the dataplane has no entry for it).
type Row struct {
	Backend    string
	Pool       string
	State      State
	Configured uint8
	Effective  int
}

// Table returns a frontend's rows in pool and member order, with the effective weights read
// from have (the dataplane's entry for the frontend's VIP, nil if it has none). It is a pure
// function.
func Table(f Frontend, backends []Backend, state func(string) State, have *VIPEntry) []Row {
	var rows []Row
	for _, d := range DesiredSet(f, backends, state) {
		eff := -1
		if have != nil {
			for _, as := range have.ASs {
				if as.Address == d.Address {
					eff = int(as.Weight)
				}
			}
		}
		rows = append(rows, Row{Backend: d.Backend, Pool: f.Pools[d.Pool].Name, State: d.State, Configured: d.Configured, Effective: eff})
	}
	return rows
}

// WriteTable writes a frontend's rows as an aligned table with a header naming the frontend.
func WriteTable(w io.Writer, f Frontend, rows []Row) error {
	if _, err := fmt.Fprintf(w, "frontend %s (%v)\n", f.Name, f.Key()); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  backend\tpool\tconfigured\teffective\tstate")
	for _, r := range rows {
		eff := "-"
		if r.Effective >= 0 {
			eff = fmt.Sprint(r.Effective)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\t%v\n", r.Backend, r.Pool, r.Configured, eff, r.State)
	}
	return tw.Flush()
}
