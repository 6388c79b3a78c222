#!/usr/bin/env bash
# probe_vs_tor.sh: stock Tor beside cyclecash, each as separate processes on this machine, in one
# run (issue 14's benchmark). First ../shared/bench/tor_baseline.sh (a private Tor network: 3-hop
# build median over 20 circuits, a 64 MiB download through a 3-hop circuit). Then 5 relays and a
# gateway, each its own `cyclecash run` process on 127.0.0.1, and `cyclecash probe` from the first
# relay's node: COUNT circuits of 3 relays before the gateway, each built and then carrying SIZE
# bytes to the gateway's echo service and back, then SIZE bytes one way to its discard service.
# The one-way figure is the one to set beside Tor's download; the echo's (SIZE over the time to
# get all of it back, each cell crossing the path twice at once) is printed beside it. Then COUNT
# circuits of 2 relays before the gateway, for their build time alone: three onion handshakes, as
# many as Tor's 3-hop circuit (build_3hop_*; the first figure has four).
# Output: one JSON line on stdout with both sides' figures and the ratios; progress on stderr.
# Knobs: COUNT (default 20), SIZE (default 67108864), TOR_BASELINE (path of tor_baseline.sh).
# Every process it starts is stopped and the temp directory removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-20}
SIZE=${SIZE:-67108864}
log() { printf '[probe_vs_tor] %s\n' "$*" >&2; }
fail() { printf 'probe_vs_tor: FAIL: %s\n' "$*" >&2; exit 1; }

base=${TOR_BASELINE:-}
if [ -z "$base" ]; then
  for d in . .. ../.. ../../..; do [ -f "$d/shared/bench/tor_baseline.sh" ] && base="$d/shared/bench/tor_baseline.sh" && break; done
fi
[ -n "$base" ] && [ -f "$base" ] || fail "tor_baseline.sh not found (set TOR_BASELINE)"

TMP=$(mktemp -d /tmp/probe_vs_tor.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT

log "building cyclecash"
go build -o "$TMP/cyclecash" ./cmd/cyclecash
cc="$TMP/cyclecash"

log "stock Tor: $base"
tor_json=$(bash "$base") || fail "tor_baseline.sh failed"

ports=($(python3 -c '
import socket
ss = [socket.socket() for _ in range(6)]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))'))
boot=""
for i in 0 1 2 3 4 5; do
  d="$TMP/n$i"
  "$cc" init --data "$d" >/dev/null
  args=(run --data "$d" --listen "/ip4/127.0.0.1/tcp/${ports[i]}" --loopback-distinct --socks off --log-level warn)
  [ "$i" = 5 ] && args+=(--role relay --role gateway)
  [ -n "$boot" ] && args+=(--bootstrap "$boot")
  "$cc" "${args[@]}" >"$d/stdout.log" 2>&1 &
  PIDS+=($!)
  if [ "$i" = 0 ]; then
    for _ in $(seq 1 100); do
      id=$("$cc" status --data "$d" --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["peer"])' 2>/dev/null) && break
      sleep 0.1
    done
    [ -n "${id:-}" ] || fail "the first node never answered status: $(tail -n1 "$d/stdout.log")"
    boot="/ip4/127.0.0.1/tcp/${ports[0]}/p2p/$id"
  fi
done
log "6 nodes started; waiting for the first one's directory to hold the other 5"
for _ in $(seq 1 600); do
  n=$("$cc" status --data "$TMP/n0" --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["directory"])' 2>/dev/null || echo 0)
  [ "$n" -ge 5 ] 2>/dev/null && break
  sleep 0.1
done
[ "$n" -ge 5 ] 2>/dev/null || fail "the directory never filled ($n of 5)"
log "probing: $COUNT circuits, $SIZE bytes each"
"$cc" probe --data "$TMP/n0" --to role:gateway --hops 3 --count 3 --size 65536 --json >/dev/null # warm the links
probe_json=$("$cc" probe --data "$TMP/n0" --to role:gateway --hops 3 --count "$COUNT" --size "$SIZE" --json) || fail "probe failed"
log "probing: $COUNT circuits of 2 relays and the gateway (3 onion hops, as Tor's), build time only"
probe3_json=$("$cc" probe --data "$TMP/n0" --to role:gateway --hops 2 --count "$COUNT" --size 65536 --json) || fail "probe failed"

TOR="$tor_json" PROBE="$probe_json" PROBE3="$probe3_json" python3 -c '
import json, os, statistics as st
t = json.loads(os.environ["TOR"]); p = json.loads(os.environ["PROBE"]); p3 = json.loads(os.environ["PROBE3"])
med = lambda k: st.median(r[k] for r in p)
b, one, echo = med("build_ms"), med("one_way_mib_per_s"), med("mib_per_s")
b3 = st.median(r["build_ms"] for r in p3)
print(json.dumps({"tor_build_ms_median": t["build_ms_median"], "tor_throughput_mib_s": t["throughput_mib_s"],
  "build_ms_median": round(b, 3), "one_way_mib_s_median": round(one, 2),
  "one_way_mib_s_min": round(min(r["one_way_mib_per_s"] for r in p), 2),
  "one_way_mib_s_max": round(max(r["one_way_mib_per_s"] for r in p), 2),
  "echo_mib_s_median": round(echo, 2), "circuits": len(p),
  "build_faster_than_tor": round(t["build_ms_median"] / b, 2), "one_way_over_tor": round(one / t["throughput_mib_s"], 2),
  "build_3hop_ms_median": round(b3, 3), "build_3hop_faster_than_tor": round(t["build_ms_median"] / b3, 2)}))'
