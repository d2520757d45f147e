package main

import (
	"fmt"
	"strconv"
)

// lookupFunc looks up an environment variable, as os.LookupEnv.
type lookupFunc func(key string) (string, bool)

// envString returns the variable key, or def if it is not set.
func envString(lookup lookupFunc, key, def string) string {
	if v, ok := lookup(key); ok {
		return v
	}
	return def
}

// envInt returns the variable key as a number from min to max, or def if it is not set. A
// value that is not such a number is an error, as it was for the origin (which panicked).
func envInt(lookup lookupFunc, key string, min, max, def int) (int, error) {
	v, ok := lookup(key)
	if !ok {
		return def, nil
	}
	n, err := parseInt(v, min, max)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", key, err)
	}
	return n, nil
}

// parseInt parses a decimal number from min to max.
func parseInt(s string, min, max int) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < min || n > max {
		return 0, fmt.Errorf("%q is not a number from %d to %d", s, min, max)
	}
	return n, nil
}
