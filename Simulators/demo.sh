#!/usr/bin/env bash
# `make demo`: the demo warehouse on the simulator, polled by the agent into a local store.
# Runs until Ctrl-C and leaves nothing running.
set -euo pipefail
cd "$(dirname "$0")/.."

STOCKPILE=${STOCKPILE:-.build/debug/stockpile}
SCENARIO=Simulators/demo-warehouse/scenario.yaml
SITE=Simulators/demo-warehouse/site.yaml
LEDGER=Simulators/demo-warehouse/ledger.csv
DATA=${DATA:-demo-data}
CONTROL=127.0.0.1:8502
HTTP=127.0.0.1:8080
SIMULATOR_LOG=$(mktemp -t stockpile-demo-simulator.XXXXXX)

SIMULATOR= AGENT= CLERK=
cleanup() {
    [ -n "$CLERK" ] && kill "$CLERK" 2>/dev/null || true
    # The agent first: it flushes what it has read, then the warehouse goes away.
    [ -n "$AGENT" ] && kill -TERM "$AGENT" 2>/dev/null && wait "$AGENT" 2>/dev/null || true
    [ -n "$SIMULATOR" ] && kill -TERM "$SIMULATOR" 2>/dev/null && wait "$SIMULATOR" 2>/dev/null || true
    rm -f "$SIMULATOR_LOG"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

# The book: materials, lots and opening balances that add up to what each scale shows. Importing it
# again on a later run writes nothing twice.
"$STOCKPILE" ledger import --site "$SITE" --data-dir "$DATA" "$LEDGER"

"$STOCKPILE" simulate --scenario "$SCENARIO" --control "$CONTROL" >"$SIMULATOR_LOG" 2>&1 &
SIMULATOR=$!
STARTED=$(date +%s)
for _ in $(seq 50); do
    grep -q '^control ' "$SIMULATOR_LOG" && break
    if ! kill -0 "$SIMULATOR" 2>/dev/null; then cat "$SIMULATOR_LOG"; exit 1; fi
    sleep 0.1
done
cat "$SIMULATOR_LOG"

# The agent logs one line per change of state (a device online, offline, back) on standard error.
"$STOCKPILE" agent --site "$SITE" --data-dir "$DATA" --http "$HTTP" &
AGENT=$!

# The receiving clerk books the bay A2 pallet when the simulator puts it on the scale (2 min in):
# 294 kg of NdPr oxide in 12 bags of 0.5 kg. The 25 kg that leaves bay B1 is never booked.
(
    sleep 120
    "$STOCKPILE" ledger record --site "$SITE" --data-dir "$DATA" --kind receipt --lot NDPR-2026-140 \
        --location bay-a2 --kg 294 --actor receiving-clerk --document GRN-DEMO-0001 \
        --time "$(date -u -d "@$((STARTED + 120))" +%Y-%m-%dT%H:%M:%SZ)" \
        --comment "pallet of 12 bags, 300 kg gross" || true
) &
CLERK=$!
sleep 1

cat <<TEXT

The demo warehouse is running: six floor scales, climate sensors, a dose-rate probe and a door
module on the simulator, polled by the agent into $DATA/stockpile.sqlite.
Look at it, in another terminal:
  $STOCKPILE status --site $SITE --data-dir $DATA
  $STOCKPILE readings --site $SITE --data-dir $DATA --device bay-b1-scale --point displayed_weight --since 10m
  $STOCKPILE readings --site $SITE --data-dir $DATA --device zone-b-climate --point humidity --since 10m --csv
  $STOCKPILE reconcile --site $SITE --data-dir $DATA                    (book against the scales)
  $STOCKPILE reconcile --site $SITE --data-dir $DATA --format html --out report.html
  $STOCKPILE reconcile --site $SITE --data-dir $DATA --between 10m 0m   (unexplained weight changes)
  $STOCKPILE ledger verify --site $SITE --data-dir $DATA
  http://$HTTP/                          (the dashboard, in a browser)
  curl -s http://$HTTP/api/v1/locations  (the API: book, physical and status of every bay)
  curl -s http://$HTTP/metrics           (the agent's metrics, for Prometheus)
  curl -s http://$CONTROL/devices          (the simulator's own view)
Its timeline: the dose-rate probe slow from 1 min, a receipt at 2 min (bay A2 uncertain while it
settles; the clerk books it), humidity climbing in bay B from 3 min, 25 kg leaving bay B1 at 4 min
with door 2 open and no transaction (the agent logs it as a weight change the ledger does not explain),
the dock sensor silent from 6 to 9 min (watch it go stale, offline, then online again), and the
Tb4O7 on bay B2 taking up 2 kg of water from 7 to 13 min while bay B stands above its humidity limit
(a moisture-uptake event; the reconciliation calls it a moisture gain). From 14 min the story is told:
reconcile then and bay B1 is 25 kg short, bay B2 a moisture gain, everything else in tolerance.
Ctrl-C stops everything.

TEXT

while kill -0 "$AGENT" 2>/dev/null && kill -0 "$SIMULATOR" 2>/dev/null; do
    sleep 15
    "$STOCKPILE" status --site "$SITE" --data-dir "$DATA" || true
    echo
done
