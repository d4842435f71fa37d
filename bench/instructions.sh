#!/bin/bash
# Instructions per request of one page, counted by valgrind's callgrind in the test client on
# the bench's large council: bench/instructions.sh /meetings/1 5
# Needs valgrind (sudo apt-get install valgrind). The first run builds the council (~10 s).
set -euo pipefail
cd "$(dirname "$0")/.."
path=${1:?"usage: bench/instructions.sh /path [requests]"}
count=${2:-5}
work=${BENCH_INSTRUCTIONS_DIR:-instance/bench-instructions}
mkdir -p "$work"
rm -f "$work/ready" "$work/go" "$work/done" "$work/callgrind.out"
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/callgrind.out" \
    .venv/bin/python bench/instructions.py "$path" "$count" > "$work/valgrind.log" 2>&1 &
runner=$!
until [ -f "$work/ready" ]; do
    kill -0 "$runner" 2>/dev/null || { cat "$work/valgrind.log"; exit 1; }
    sleep 1
done
callgrind_control -i on "$runner" > /dev/null 2>&1
touch "$work/go"
until [ -f "$work/done" ]; do sleep 0.5; done
callgrind_control -i off "$runner" > /dev/null 2>&1
rm -f "$work/go"
wait "$runner"
callgrind_annotate "$work/callgrind.out" > "$work/annotated.txt" 2>/dev/null
total=$(grep "PROGRAM TOTALS" "$work/annotated.txt" | head -n 1 | awk '{print $1}' | tr -d ,)
echo "$path: $(( total / count )) instructions per request (mean of $count)"
