package main

import (
	"fmt"
	"math"
	"slices"
	"strconv"
)

// span is a figure over the runs: its median and its range.
type span struct {
	lo, med, hi float64
}

func spanOf(v []float64) span {
	s := slices.Clone(v)
	slices.Sort(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return span{lo: s[0], med: med, hi: s[len(s)-1]}
}

// ratioOf is ours over the anchor's: the ratio of the medians, and the range of the ratios any
// pairing of the runs could give (our smallest over the anchor's largest, our largest over the
// anchor's smallest).
func ratioOf(o, a span) span {
	return span{lo: div(o.lo, a.hi), med: div(o.med, a.med), hi: div(o.hi, a.lo)}
}

// div is x/y, with 0/0 = 1 (two sides that both measure nothing are equal).
func div(x, y float64) float64 {
	if y == 0 {
		if x == 0 {
			return 1
		}
		return math.Inf(1)
	}
	return x / y
}

// overlaps reports whether two figures' ranges overlap: neither is reliably above the other.
func overlaps(o, a span) bool { return o.lo <= a.hi && a.lo <= o.hi }

// verdict compares ours with an anchor on a figure where lower is better (time per op):
// "at parity" when the ranges overlap, else "faster" or "slower".
func verdict(o, a span) string {
	switch {
	case overlaps(o, a):
		return "at parity"
	case o.hi < a.lo:
		return "faster"
	default:
		return "slower"
	}
}

func num(v float64) string {
	if math.IsInf(v, 1) {
		return "inf"
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// String is "median [min–max]", or the median alone when every run gave the same figure.
func (s span) String() string {
	if s.lo == s.hi {
		return num(s.med)
	}
	return fmt.Sprintf("%s [%s–%s]", num(s.med), num(s.lo), num(s.hi))
}

// ratio formats a ratio span with an x after each figure.
func (s span) ratio() string {
	if s.lo == s.hi {
		return num(s.med) + "x"
	}
	return fmt.Sprintf("%sx [%sx–%sx]", num(s.med), num(s.lo), num(s.hi))
}
