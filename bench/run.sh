#!/usr/bin/env bash
# Times whole retort commands on a generated project (see gen/main.go):
#   bench/run.sh                 N=1000 upgrade/current/downgrade on SQLite, current at N_BIG=10000
#   N=200 ROUNDS=5 bench/run.sh
# Uses hyperfine when installed (apt-get install hyperfine), else bash timing.
# For retort beside goose, golang-migrate, Alembic and a raw floor, use
# ../shared/bench/run.sh (see bench/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000}
N_BIG=${N_BIG:-10000}
ROUNDS=${ROUNDS:-3}
WORK=${WORK:-$(mktemp -d /tmp/retort-bench.XXXX)}
BIN=$WORK/retort
go build -o "$BIN" ./cmd/retort
gen() { go run ./bench/gen -n "$1" -dir "$2" >/dev/null; }

time_cmd() { # label, prepare-command, command...
	local label=$1 prep=$2; shift 2
	if command -v hyperfine >/dev/null; then
		hyperfine -N --runs "$ROUNDS" --prepare "$prep" --export-json "$WORK/$label.json" "$*" >/dev/null 2>&1 || { echo "$label: FAILED"; return 1; }
		python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][0]; print(f'{sys.argv[2]:<28} median {r[\"median\"]*1000:9.1f} ms  min {r[\"min\"]*1000:9.1f} ms')" "$WORK/$label.json" "$label"
	else
		local best=999999
		for _ in $(seq "$ROUNDS"); do
			bash -c "$prep"
			local s=$EPOCHREALTIME; "$@" >/dev/null 2>&1; local e=$EPOCHREALTIME
			best=$(python3 -c "print(min($best, ($e-$s)*1000))")
		done
		printf '%-28s best %9.1f ms\n' "$label" "$best"
	fi
}

P=$WORK/n$N; gen "$N" "$P"
cd "$P"
time_cmd "upgrade head, N=$N" "rm -f $P/bench.db*" "$BIN" -q upgrade head
time_cmd "current, N=$N" "true" "$BIN" current
cp bench.db "$WORK/up.db"
time_cmd "downgrade base, N=$N" "cp $WORK/up.db $P/bench.db" "$BIN" -q downgrade base
cd - >/dev/null

B=$WORK/n$N_BIG; gen "$N_BIG" "$B"
cd "$B"
head=$(ls migrations/versions | tail -1 | cut -d_ -f2)
"$BIN" -q stamp "$head"
time_cmd "current, N=$N_BIG" "true" "$BIN" current
time_cmd "heads, N=$N_BIG" "true" "$BIN" heads
echo "work dir: $WORK"
