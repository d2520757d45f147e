package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sample has three runs of BenchmarkNext/steadfast (10, 30, 20 ns) against one cenkalti run
// (80 ns): apart. BenchmarkQueue's two sides overlap (steadfast 90–110, workqueue 100–120).
const sample = `goos: linux
goarch: amd64
cpu: AMD EPYC
BenchmarkNext/steadfast-2   	70000000	        10.0 ns/op	       0 B/op	       0 allocs/op
BenchmarkNext/steadfast-2   	70000000	        30.0 ns/op	       0 B/op	       0 allocs/op
BenchmarkNext/steadfast-2   	70000000	        20.0 ns/op	       0 B/op	       0 allocs/op
BenchmarkNext/cenkalti-2    	19000000	        80.0 ns/op	       0 B/op	       0 allocs/op
BenchmarkQueue/steadfast-2  	1000	        90.0 ns/op	       1 allocs/op	     5e6 items/s
BenchmarkQueue/steadfast-2  	1000	       110.0 ns/op	       1 allocs/op	     4e6 items/s
BenchmarkQueue/workqueue-2  	1000	       100.0 ns/op	       2 allocs/op	     4.5e6 items/s
BenchmarkQueue/workqueue-2  	1000	       120.0 ns/op	       2 allocs/op	     3.9e6 items/s
BenchmarkReopen/steadfast-2 	     100	     50000 ns/op	         0.4 median-ms
BenchmarkAlone-2            	     100	     50000 ns/op
PASS
`

func report(t *testing.T, notes string) string {
	t.Helper()
	res, err := parse(strings.NewReader(sample))
	require.NoError(t, err)
	if notes != "" {
		res.notes, err = parseNotes(notes)
		require.NoError(t, err)
	}
	var out strings.Builder
	write(&out, res, "make bench")
	return out.String()
}

func TestReportGivesMedianAndRangeOfEachFigure(t *testing.T) {
	res, err := parse(strings.NewReader(sample))
	require.NoError(t, err)
	assert.Equal(t, []float64{10, 30, 20}, res.samples["BenchmarkNext/steadfast"]["ns/op"], "the -2 suffix is dropped")

	got := report(t, "")
	assert.Contains(t, got, "| cenkalti | 20 [10–30] | 80 | 0.25x [0.125x–0.375x] | faster | 0 | 0 |",
		"median 20 of 10..30 against 80: the ratio's range is 10/80 to 30/80")
	assert.Contains(t, got, "`BenchmarkQueue/steadfast`: 4.5e+06 [4e+06–5e+06] items/s", "custom metrics have ranges too")
	assert.Contains(t, got, "| BenchmarkReopen/steadfast | 0.4 median-ms, 5e+04 ns/op |", "without an anchor, figures are listed as they are")
	assert.Contains(t, got, "| BenchmarkAlone | 5e+04 ns/op |", "a benchmark with no anchor is listed as it is")
	assert.Contains(t, got, "cpu: AMD EPYC, GOMAXPROCS 2", "the machine is what the run's output says")
	assert.Contains(t, got, "up to 3 runs")
}

func TestReportCallsOverlappingRangesParityWhateverTheMedians(t *testing.T) {
	got := report(t, "")
	// Medians 100 against 110 (0.909x), but 110 > 100: the ranges overlap.
	assert.Contains(t, got, "| workqueue | 100 [90–110] | 110 [100–120] | 0.9091x [0.75x–1.1x] | at parity | 1 | 2 |")
	assert.NotContains(t, got, "| workqueue | 100 [90–110] | 110 [100–120] | 0.9091x [0.75x–1.1x] | faster")
}

func TestVerdictIsFasterOrSlowerOnlyForRangesApart(t *testing.T) {
	tests := []struct {
		name string
		o, a span
		want string
	}{
		{"apart below", span{1, 2, 3}, span{4, 5, 6}, "faster"},
		{"apart above", span{4, 5, 6}, span{1, 2, 3}, "slower"},
		{"touching", span{1, 2, 4}, span{4, 5, 6}, "at parity"},
		{"inside", span{2, 3, 4}, span{1, 5, 6}, "at parity"},
		{"same", span{1, 1, 1}, span{1, 1, 1}, "at parity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, verdict(tt.o, tt.a))
			r := ratioOf(tt.o, tt.a)
			assert.Equal(t, tt.want == "at parity", r.lo <= 1 && r.hi >= 1, "parity is a ratio range that holds 1")
		})
	}
}

func TestGoalIsJudgedOnTheWholeRange(t *testing.T) {
	notes := `BenchmarkQueue: Add, take and done.
  goal: workqueue ns/op <= 0.95x (issue 5)
  goal: workqueue ns/op <= 1.1x
  goal: workqueue items/s >= 0.8x
  goal: workqueue items/s >= 1x
  goal: steadfast allocs/op <= 1
  goal: steadfast items/s >= ns/op
  goal: steadfast ns/op >= items/s
BenchmarkNext: One delay.
  goal: steadfast ns/op < 30
  goal: steadfast ns/op <= 30
  goal: wait ns/op <= 1
`
	got := report(t, notes)
	// The median ratio 0.909x meets 0.95x, its range (up to 1.1x) does not.
	assert.Contains(t, got, "| BenchmarkQueue | ns/op, steadfast over workqueue: <= 0.95x | 0.9091x [0.75x–1.1x] | no |")
	assert.Contains(t, got, "| BenchmarkQueue | ns/op, steadfast over workqueue: <= 1.1x | 0.9091x [0.75x–1.1x] | yes |")
	// items/s: 4e6..5e6 against 3.9e6..4.5e6: from 4/4.5 = 0.889x up.
	assert.Contains(t, got, "| BenchmarkQueue | items/s, steadfast over workqueue: >= 0.8x | 1.071x [0.8889x–1.282x] | yes |")
	assert.Contains(t, got, "| BenchmarkQueue | items/s, steadfast over workqueue: >= 1x | 1.071x [0.8889x–1.282x] | no |",
		"a lower bound is met only by the smallest ratio")
	assert.Contains(t, got, "| BenchmarkQueue | allocs/op of steadfast: <= 1 | 1 | yes |")
	assert.Contains(t, got, "| BenchmarkNext | ns/op of steadfast: < 30 | 20 [10–30] | no |", "the largest run is 30")
	assert.Contains(t, got, "| BenchmarkNext | ns/op of steadfast: <= 30 | 20 [10–30] | yes |")
	assert.Contains(t, got, "| BenchmarkNext | ns/op of wait: <= 1 | not measured | no |", "a goal without figures is not met")
	assert.Contains(t, got, "| BenchmarkQueue | items/s of steadfast: >= its ns/op | 4.5e+06 [4e+06–5e+06] | yes |", "a bound by another figure")
	assert.Contains(t, got, "| BenchmarkQueue | ns/op of steadfast: >= its items/s | 100 [90–110] | no |")
	assert.Contains(t, got, "5 of 10 met.")
	assert.Contains(t, got, "- Goal (issue 5): ns/op, steadfast over workqueue: <= 0.95x. Measured 0.9091x [0.75x–1.1x]: not met.\n")
}

func TestReportRefusesGarbledFiguresAndGoals(t *testing.T) {
	_, err := parse(strings.NewReader("BenchmarkX-2 100 abc ns/op\n"))
	assert.Error(t, err)
	for _, bad := range []string{
		"BenchmarkX: a\n  goal: anchor ns/op <= 1.2.3x\n",
		"BenchmarkX: a\n  goal: anchor ns/op about 1x\n",
		"BenchmarkX: a\n  goal: anchor ns/op\n",
		"  goal: anchor ns/op <= 1x\n",
	} {
		_, err := parseNotes(bad)
		assert.Error(t, err, "%q", bad)
	}
}

func TestReportAddsEachBenchmarksNote(t *testing.T) {
	got := report(t, "BenchmarkNext: Target: at most 1x\n  cenkalti's.\nBenchmarkAlone: alone.\n")
	assert.Contains(t, got, "\nTarget: at most 1x cenkalti's.\n", "a note continues on the next line")
	assert.Contains(t, got, "\nalone.\n")
}

// TestNotesFileParses keeps bench/notes.txt readable by the report: every goal in it parses,
// and every note names a benchmark the bench module defines.
func TestNotesFileParses(t *testing.T) {
	data, err := os.ReadFile("../../notes.txt")
	require.NoError(t, err)
	notes, err := parseNotes(string(data))
	require.NoError(t, err)
	require.NotEmpty(t, notes)
	files, err := filepath.Glob("../../*/*_test.go")
	require.NoError(t, err)
	var src strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		src.Write(b)
	}
	for name := range notes {
		assert.Contains(t, src.String(), "func "+name+"(b *testing.B)", "notes.txt has a note for %s, which no benchmark defines", name)
	}
}

func TestGoalBoundByAnotherFigureCountsThatFiguresRangeToo(t *testing.T) {
	res, err := parse(strings.NewReader(`BenchmarkFrozenPeer/steadfast-2 1 1 ns/op 11 detect-s 12 budget-s
BenchmarkFrozenPeer/steadfast-2 1 1 ns/op 11.5 detect-s 11.2 budget-s
`))
	require.NoError(t, err)
	g, err := parseGoal("steadfast detect-s <= budget-s")
	require.NoError(t, err)
	j := judge(res, "BenchmarkFrozenPeer", g)
	assert.True(t, j.found)
	assert.False(t, j.met, "detect-s reaches 11.5 while budget-s goes down to 11.2")
	g.op = ">="
	assert.False(t, judge(res, "BenchmarkFrozenPeer", g).met, "detect-s goes down to 11 while budget-s reaches 12")
	g.ref = "missing-s"
	assert.False(t, judge(res, "BenchmarkFrozenPeer", g).found, "a bound the run did not produce is not measured")
}
