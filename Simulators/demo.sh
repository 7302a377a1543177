#!/usr/bin/env bash
# `make demo`: the demo warehouse on the simulator, read by the probe every few seconds.
# Runs until Ctrl-C and leaves nothing running. (The agent joins here once it exists.)
set -euo pipefail
cd "$(dirname "$0")/.."

STOCKPILE=${STOCKPILE:-.build/debug/stockpile}
SCENARIO=Simulators/demo-warehouse/scenario.yaml
CONTROL=127.0.0.1:8502
LOG=$(mktemp -t stockpile-demo.XXXXXX)

"$STOCKPILE" simulate --scenario "$SCENARIO" --control "$CONTROL" >"$LOG" 2>&1 &
SIMULATOR=$!
cleanup() {
    kill -TERM "$SIMULATOR" 2>/dev/null || true
    wait "$SIMULATOR" 2>/dev/null || true
    rm -f "$LOG"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

for _ in $(seq 50); do
    grep -q '^control ' "$LOG" && break
    if ! kill -0 "$SIMULATOR" 2>/dev/null; then cat "$LOG"; exit 1; fi
    sleep 0.1
done
cat "$LOG"
TCP=$(awk '$1 == "tcp" && $2 == "main" {print $3}' "$LOG")
RTU=$(awk '$1 == "rtu" {print $NF}' "$LOG")

cat <<TEXT

The demo warehouse is running: six floor scales, climate sensors, a dose-rate probe and a door
module on Modbus TCP $TCP, and three devices on the RS-485 line $RTU.
Look at it with:
  $STOCKPILE probe --tcp $TCP --unit 1 --profile Devices/scales/laumas-tlu.yaml
  $STOCKPILE probe --rtu $RTU --parity E --unit 11 --profile Devices/sensors/xy-md02.yaml
  curl -s http://$CONTROL/devices
Its timeline: a receipt at 2 min, humidity climbing in bay B from 3 min, 25 kg leaving bay B1 at
4 min with door 2 open, the dock sensor silent from 6 min. Ctrl-C stops everything.

TEXT

reading() { # device profile unit point... : "point value unit quality" for each point
    local transport=$1 profile=$2 unit=$3; shift 3
    "$STOCKPILE" probe $transport --unit "$unit" --profile "$profile" --timeout 0.5 2>&1 |
        awk -v points=" $* " 'index(points, " " $1 " ") {printf "%s=%s%s(%s) ", $1, $2, $3, $4}'
}

while kill -0 "$SIMULATOR" 2>/dev/null; do
    printf '%s  ' "$(date -u +%H:%M:%S)"
    printf 'bay-a2 %s ' "$(reading "--tcp $TCP" Devices/scales/laumas-tlu.yaml 2 gross)"
    printf 'bay-b1 %s ' "$(reading "--tcp $TCP" Devices/scales/flintec-ft11.yaml 4 gross)"
    printf 'zone-b %s ' "$(reading "--tcp $TCP" Devices/sensors/vaisala-hmp.yaml 21 humidity)"
    printf 'zone-a %s' "$(reading "--rtu $RTU --parity E" Devices/sensors/xy-md02.yaml 11 humidity)"
    printf '\n'
    sleep 5
done
