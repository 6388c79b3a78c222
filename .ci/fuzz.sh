#!/usr/bin/env bash
# Runs every fuzz target of the module for FUZZTIME each (default 20s),
# FUZZJOBS targets at a time (default 2, one per core), each target with a
# single fuzz worker (-test.parallel=1; Go's fuzzer otherwise starts
# GOMAXPROCS workers per target). Called by .ci/run; alone:
#   bash .ci/fuzz.sh [package dir ...]     e.g. FUZZTIME=2s bash .ci/fuzz.sh ./onion ./ledger
# A package is any directory with a `func Fuzz...` in a _test.go file, and
# its targets are what its test binary lists, so a new target is run
# without any change here. Seed corpora live in each package's
# testdata/fuzz/; a failing input is written there too, and its path and
# the whole failure are printed. Exits 1 if any target failed.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-20s}
fuzzjobs=${FUZZJOBS:-2}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fuzzcache="$(go env GOCACHE)/fuzz"

if [ $# -gt 0 ]; then
  dirs=("$@")
else
  # Packages with the most targets first: their fuzzing covers the builds
  # of the packages after them.
  mapfile -t dirs < <(grep -rcE --include='*_test.go' --exclude-dir=testdata --exclude-dir=.git '^func Fuzz' . |
    grep -v ':0$' | awk -F: '{sub("/[^/]*$", "", $1); n[$1] += $2} END {for (d in n) print n[d], d}' |
    sort -k1,1nr -k2 | cut -d' ' -f2)
fi

# build makes one instrumented test binary per package, to be run once
# per target from the package's directory (so testdata/fuzz/ resolves as
# under go test; go test -fuzz would relink the package for every target),
# and prints a line "dir bin importpath target" per target as soon as its
# package is built, so fuzzing starts while later packages build.
build() {
  local dir bin importpath targets target
  for dir in "${dirs[@]}"; do
    dir=./${dir#./}
    bin="$work/$(echo "${dir#./}" | tr / _).test"
    go test -c -fuzz=. -o "$bin" "$dir" >&2
    importpath=$(go list "$dir")
    targets=$(cd "$dir" && "$bin" -test.list='^Fuzz' | grep '^Fuzz')
    for target in $targets; do
      echo "$dir $bin $importpath $target"
    done
  done
}

# fuzz runs one target; its output goes to $work/<n>.log. It exits 0 when
# the target passed (or met only Go's deadline race below), 1 otherwise.
fuzz() {
  local dir=$1 bin=$2 importpath=$3 target=$4 log=$5
  local corpus="$dir/testdata/fuzz/$target" before after
  before=$(ls "$corpus" 2>/dev/null | sort || true)
  if (cd "$dir" && "$bin" -test.run='^$' -test.fuzz="^${target}\$" -test.fuzztime="$fuzztime" \
    -test.parallel=1 -test.fuzzcachedir="$fuzzcache/$importpath") >"$log" 2>&1; then
    return 0
  fi
  after=$(ls "$corpus" 2>/dev/null | sort || true)
  # Go 1.26's fuzz coordinator can fail a target with a bare "context
  # deadline exceeded" as -fuzztime ends, having found nothing
  # (go.dev/issue/75804, fixed in Go 1.27). That case, and only that case,
  # is told apart: no new input written, no other failure line, and a
  # replay of the whole corpus passes.
  if [ "$before" = "$after" ] && grep -q '^    context deadline exceeded$' "$log" &&
    ! grep -qE 'Failing input written|panic:|_test\.go:[0-9]+:' "$log" &&
    (cd "$dir" && "$bin" -test.run="^${target}\$") >/dev/null 2>&1; then
    echo "$target: Go's fuzz coordinator deadline race (go.dev/issue/75804); no input found, corpus replays clean" >>"$log"
    return 0
  fi
  local input
  input=$(sed -n 's/^ *Failing input written to //p' "$log" | tail -n 1)
  if [ -n "$input" ]; then
    echo "fuzz target $target in $dir failed; the failing input is $dir/$input" >>"$log"
  else
    echo "fuzz target $target in $dir failed on an input it already had (a seed, or a file under $corpus/), named above" >>"$log"
  fi
  return 1
}

# report prints the outcome of job n, whose process was pid: its last
# progress line if it passed, its whole output if it failed.
failed=0
report() {
  local n=$1 pid=$2
  set -- ${jobs[$n]}
  echo "--- $1 $4"
  if wait "$pid"; then
    grep '^fuzz: elapsed' "$work/$n.log" | tail -n 1 || true
    grep 'go.dev/issue/75804' "$work/$n.log" || true
  else
    cat "$work/$n.log"
    failed=1
  fi
}

mkfifo "$work/ready"
build >"$work/ready" 2>"$work/build.log" &
builder=$!
exec 3<"$work/ready"
jobs=() # "dir bin importpath target", by job index
declare -A running=() # pid -> job index
while read -r -u 3 line; do
  while [ ${#running[@]} -ge "$fuzzjobs" ]; do
    wait -n 2>/dev/null || true # returns at once if a job already ended
    for pid in "${!running[@]}"; do
      if ! kill -0 "$pid" 2>/dev/null; then
        report "${running[$pid]}" "$pid"
        unset "running[$pid]"
      fi
    done
  done
  [ "$failed" = 0 ] || break # the first failure stops new targets
  n=${#jobs[@]}
  jobs+=("$line")
  fuzz $line "$work/$n.log" &
  running[$!]=$n
done
exec 3<&- # a builder still writing after a failure ends on SIGPIPE
for pid in "${!running[@]}"; do
  report "${running[$pid]}" "$pid"
done
if ! wait "$builder" && [ "$failed" = 0 ]; then
  cat "$work/build.log"
  echo "building the fuzz test binaries failed"
  failed=1
fi
echo "${#jobs[@]} fuzz targets started, $fuzztime each, $fuzzjobs at a time"
if [ "$failed" != 0 ]; then
  echo "fuzzing failed (the failure in full above)"
  exit 1
fi
