#!/usr/bin/env bash
# Runs every Fuzz target of the three modules for a short, bounded time (FUZZTIME, default 4s
# each), so that `make test` exercises the fuzzers and not only their seed corpora. A target that
# finds a failure fails the run, and go test writes the failing input under the package's
# testdata/fuzz.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${FUZZTIME:-4s}"
go="${GO:-go}"
count=0
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
for m in . examples bench; do
	# Each directory of the module with a Fuzz function, and its names (modules nested below
	# are skipped: they are run on their own).
	while read -r dir; do
		for n in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$m/$dir"/*_test.go | sed 's/^func //' | sort -u); do
			echo "fuzz ($m) ./$dir $n for $fuzztime"
			# go's fuzzing engine can end a time-bounded run with "context deadline exceeded"
			# and no failing input (a worker caught at the deadline, seen under load): that is
			# not a finding, so such a run is tried once more. A real finding writes its input.
			for try in 1 2; do
				if (cd "$m" && "$go" test -run '^$' -fuzz "^${n}\$" -fuzztime "$fuzztime" "./$dir") >"$log" 2>&1; then
					break
				fi
				if [ "$try" = 2 ] || grep -q 'Failing input written' "$log" || ! grep -q 'context deadline exceeded' "$log"; then
					cat "$log"
					exit 1
				fi
				echo "fuzz ($m) ./$dir $n: the engine timed out without a finding; once more"
			done
			count=$((count + 1))
		done
	done < <(cd "$m" && grep -rl --include='*_test.go' '^func Fuzz' . |
		grep -v -E '^\./(examples|bench)/' | xargs -r -n1 dirname | sed 's|^\./||' | sort -u)
done
echo "fuzz: $count targets, $fuzztime each"
