package main

import (
	"fmt"
	"strconv"
	"strings"
)

// note is what the notes file says about one top-level benchmark.
type note struct {
	text  string
	goals []goal
}

// goal is one target, judged on the range of a figure over the runs.
type goal struct {
	sub   string  // the sub-benchmark: the anchor of a ratio, or whose figure is bounded
	unit  string  // ns/op, allocs/op, or a custom metric
	op    string  // <=, <, >= or >
	value float64 // the bound
	ratio bool    // the bound is on steadfast's figure over sub's (written with an x)
	ref   string  // the bound is sub's figure of this unit instead of value
	label string  // where the goal comes from, free text
}

// parseNotes reads the notes file. A line "BenchmarkX: text" starts the note of BenchmarkX;
// an indented line "goal: SUB UNIT OP VALUE[x] [label]" adds a goal to it; any other line
// continues its text. A goal bounds sub-benchmark SUB's figure UNIT, or, with an x after
// VALUE, the ratio of steadfast's figure UNIT to SUB's. A VALUE that is a unit (it starts with
// a letter) bounds UNIT by SUB's figure of that unit: "steadfast detect-s <= budget-s".
func parseNotes(s string) (map[string]note, error) {
	notes := map[string]note{}
	last := ""
	for i, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		name, text, ok := strings.Cut(line, ": ")
		switch {
		case ok && strings.HasPrefix(name, "Benchmark") && !strings.Contains(name, " "):
			notes[name], last = note{text: text}, name
		case strings.HasPrefix(line, "goal:"):
			g, err := parseGoal(strings.TrimPrefix(line, "goal:"))
			if err == nil && last == "" {
				err = fmt.Errorf("a goal before any benchmark")
			}
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", i+1, err)
			}
			n := notes[last]
			n.goals = append(n.goals, g)
			notes[last] = n
		case last != "" && line != "":
			n := notes[last]
			n.text = strings.TrimSpace(n.text + " " + line)
			notes[last] = n
		}
	}
	return notes, nil
}

func parseGoal(s string) (goal, error) {
	f := strings.Fields(s)
	if len(f) < 4 {
		return goal{}, fmt.Errorf("goal %q: want SUB UNIT OP VALUE[x] [label]", strings.TrimSpace(s))
	}
	g := goal{sub: f[0], unit: f[1], op: f[2], label: strings.Join(f[4:], " ")}
	switch g.op {
	case "<=", "<", ">=", ">":
	default:
		return goal{}, fmt.Errorf("goal %q: unknown comparison %q", strings.TrimSpace(s), g.op)
	}
	if c := f[3][0]; c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
		g.ref = f[3]
		return g, nil
	}
	v, isRatio := strings.CutSuffix(f[3], "x")
	val, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return goal{}, fmt.Errorf("goal %q: %w", strings.TrimSpace(s), err)
	}
	g.value, g.ratio = val, isRatio
	return g, nil
}

// String is the goal as the report states it.
func (g goal) String() string {
	switch {
	case g.ratio:
		return fmt.Sprintf("%s, steadfast over %s: %s %sx", g.unit, g.sub, g.op, num(g.value))
	case g.ref != "":
		return fmt.Sprintf("%s of %s: %s its %s", g.unit, g.sub, g.op, g.ref)
	}
	return fmt.Sprintf("%s of %s: %s %s", g.unit, g.sub, g.op, num(g.value))
}

// judged is a goal against the figures of one run.
type judged struct {
	goal
	measured span
	found    bool // the run produced the figures the goal needs
	met      bool
}

// judge measures g for top-level benchmark top: on the range, an upper bound holds only if the
// largest figure meets it, a lower bound only if the smallest does.
func judge(res *results, top string, g goal) judged {
	j := judged{goal: g}
	a, ok := res.samples[top+"/"+g.sub][g.unit]
	if !ok {
		return j
	}
	j.measured = spanOf(a)
	if g.ratio {
		o, ok := res.samples[top+"/steadfast"][g.unit]
		if !ok {
			return j
		}
		j.measured = ratioOf(spanOf(o), j.measured)
	}
	bound := span{lo: g.value, hi: g.value}
	if g.ref != "" {
		r, ok := res.samples[top+"/"+g.sub][g.ref]
		if !ok {
			return j
		}
		bound = spanOf(r)
	}
	j.found = true
	switch g.op { // the bound's range counts against the goal too
	case "<=":
		j.met = j.measured.hi <= bound.lo
	case "<":
		j.met = j.measured.hi < bound.lo
	case ">=":
		j.met = j.measured.lo >= bound.hi
	case ">":
		j.met = j.measured.lo > bound.hi
	}
	return j
}

// result is the judged goal's measured figure and whether it was met, for the report.
func (j judged) result() (measured, met string) {
	switch {
	case !j.found:
		return "not measured", "no"
	case j.ratio:
		measured = j.measured.ratio()
	default:
		measured = j.measured.String()
	}
	if j.met {
		return measured, "yes"
	}
	return measured, "no"
}
