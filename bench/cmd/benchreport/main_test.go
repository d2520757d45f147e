package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sample = `goos: linux
goarch: amd64
cpu: AMD EPYC
BenchmarkNext/steadfast-2   	70000000	        10.0 ns/op	       0 B/op	       0 allocs/op
BenchmarkNext/steadfast-2   	70000000	        30.0 ns/op	       0 B/op	       0 allocs/op
BenchmarkNext/steadfast-2   	70000000	        20.0 ns/op	       0 B/op	       0 allocs/op
BenchmarkNext/cenkalti-2    	19000000	        80.0 ns/op	       0 B/op	       0 allocs/op
BenchmarkReopen/steadfast-2 	     100	     50000 ns/op	         0.4 median-ms
BenchmarkAlone-2            	     100	     50000 ns/op
PASS
`

func TestReportPairsOursWithEachAnchorUsingMedians(t *testing.T) {
	res, err := parse(strings.NewReader(sample))
	require.NoError(t, err)
	assert.Equal(t, []float64{10, 30, 20}, res.samples["BenchmarkNext/steadfast"]["ns/op"], "the -2 suffix is dropped")

	var out strings.Builder
	write(&out, res, "make bench")
	got := out.String()
	assert.Contains(t, got, "| cenkalti | 20 | 80 | 0.25x | 0 | 0 |", "median 20 against 80")
	assert.Contains(t, got, "| BenchmarkReopen/steadfast | 0.4 median-ms, 5e+04 ns/op |", "without an anchor, figures are listed as they are")
	assert.Contains(t, got, "| BenchmarkAlone | 5e+04 ns/op |", "a benchmark with no anchor is listed as it is")
	assert.Contains(t, got, "cpu: AMD EPYC")
}

func TestReportRefusesGarbledFigures(t *testing.T) {
	_, err := parse(strings.NewReader("BenchmarkX-2 100 abc ns/op\n"))
	assert.Error(t, err)
}

func TestReportAddsEachBenchmarksNote(t *testing.T) {
	res, err := parse(strings.NewReader(sample))
	require.NoError(t, err)
	res.notes = parseNotes("BenchmarkNext: Target: at most 1x\n  cenkalti's.\nBenchmarkAlone: alone.\n")
	var out strings.Builder
	write(&out, res, "make bench")
	assert.Contains(t, out.String(), "\nTarget: at most 1x cenkalti's.\n", "a note continues on the next line")
	assert.Contains(t, out.String(), "\nalone.\n")
}
