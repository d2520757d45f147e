// Command benchreport turns `go test -bench -benchmem -count N` output into BENCHMARKS.md.
//
// Convention: a comparison is one top-level benchmark whose sub-benchmark named "steadfast" is
// ours and whose other sub-benchmarks are the anchors it is compared with, run in the same
// process (BenchmarkQueue/steadfast, BenchmarkQueue/workqueue). Benchmarks without a
// "steadfast" sub-benchmark are listed with their figures as they are, custom metrics
// (b.ReportMetric) included.
//
// Every figure is the median over the N runs, with its range (min–max) beside it. A ratio is
// ours divided by the anchor's, given as the ratio of the medians with its range: from our
// smallest figure over the anchor's largest to our largest over the anchor's smallest, the
// ratios any pairing of the runs could give. Two sides whose ranges overlap (the ratio's
// range holds 1) are "at parity"; only ranges apart are "faster" or "slower".
//
// Goals come from the notes file (see [parseNotes]) and are judged on the range, never on the
// median alone: an upper bound is met only if the largest figure (or ratio) of the range
// meets it, a lower bound only if the smallest does.
//
// The report carries no figure that the run did not produce: the notes file holds prose and
// goals, the rest comes from the benchmark output.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	in := flag.String("in", "", "go test -bench output (default stdin)")
	cmd := flag.String("cmd", "make bench", "the command that reproduces the figures")
	notesFile := flag.String("notes", "", "notes file: \"BenchmarkX: text\" lines and indented \"goal:\" lines")
	flag.Parse()
	if err := run(*in, *notesFile, *cmd, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

func run(in, notesFile, cmd string, w io.Writer) error {
	r := io.Reader(os.Stdin)
	if in != "" {
		f, err := os.Open(in)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	res, err := parse(r)
	if err != nil {
		return err
	}
	if notesFile != "" {
		data, err := os.ReadFile(notesFile)
		if err != nil {
			return err
		}
		if res.notes, err = parseNotes(string(data)); err != nil {
			return fmt.Errorf("%s: %w", notesFile, err)
		}
	}
	write(w, res, cmd)
	return nil
}
