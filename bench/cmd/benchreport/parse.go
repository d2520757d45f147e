package main

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// results holds every sample of every metric, by benchmark name (without the -N suffix).
type results struct {
	order   []string
	samples map[string]map[string][]float64 // name -> unit -> values, one per run
	env     []string                        // goos, goarch, cpu lines
	procs   []string                        // the -N suffixes seen: GOMAXPROCS of the runs
	notes   map[string]note                 // by top-level benchmark name
}

func parse(r io.Reader) (*results, error) {
	res := &results{samples: map[string]map[string][]float64{}, notes: map[string]note{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		for _, k := range []string{"goos:", "goarch:", "cpu:"} {
			if strings.HasPrefix(line, k) && !slices.Contains(res.env, strings.TrimSpace(line)) {
				res.env = append(res.env, strings.TrimSpace(line))
			}
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if err := res.add(f); err != nil {
			return nil, fmt.Errorf("%q: %w", line, err)
		}
	}
	return res, sc.Err()
}

// add records the figures of one result line, split into fields.
func (res *results) add(f []string) error {
	name, procs := trimProcs(f[0])
	if procs != "" && !slices.Contains(res.procs, procs) {
		res.procs = append(res.procs, procs)
	}
	m, ok := res.samples[name]
	if !ok {
		m = map[string][]float64{}
		res.samples[name] = m
		res.order = append(res.order, name)
	}
	for i := 2; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return err
		}
		m[f[i+1]] = append(m[f[i+1]], v)
	}
	return nil
}

// trimProcs splits the -GOMAXPROCS suffix go test adds from a benchmark's name.
func trimProcs(name string) (string, string) {
	i := strings.LastIndexByte(name, '-')
	if i < 0 {
		return name, ""
	}
	if _, err := strconv.Atoi(name[i+1:]); err != nil {
		return name, ""
	}
	return name[:i], name[i+1:]
}

// parent splits a benchmark's name into its top-level name and the rest.
func parent(name string) (string, string) {
	top, sub, _ := strings.Cut(name, "/")
	return top, sub
}
