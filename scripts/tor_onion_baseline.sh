#!/usr/bin/env bash
# tor_onion_baseline.sh: rendezvous setup time of a real Tor v3 onion service (the Debian `tor`
# package) on a throwaway private Tor network on 127.0.0.1, for comparison with cyclecash's
# hidden services (BenchmarkHiddenService/hs-rendezvous in internal/testnet).
#
# The network is built as ../shared/bench/tor_baseline.sh builds its own (TestingTorNetwork 1,
# 3 directory authorities, 20 s voting interval, every relay an HSDir), with 4 more non-exit
# relays (7 relays, no exit: nothing leaves the network), a client tor (c0) with a SocksPort, and
# an onion-service tor (s0) serving a 1 KiB page from a local python3 http.server as
# HiddenServicePort 80.
# Then it measures:
#   publish_s            launch -> the first page fetched through the onion service (the client's
#                        descriptor fetch included); this fetch is the warm-up and is not counted.
#   rend_ms_median/p95   N fetches of the page, one after another, each with its own SOCKS
#   (min/max)            username (IsolateSOCKSAuth, on by default), so each one builds a new
#                        rendezvous circuit and introduction while the descriptor stays cached:
#                        curl's time_starttransfer (SOCKS connect -> first byte of the reply), the
#                        same span as BenchmarkHiddenService/hs-rendezvous's setup (SOCKS dial
#                        with a new identity -> first byte echoed). p95 is nearest-rank.
# Output: ONE JSON line on stdout; progress on stderr. On failure: exit 1 with a one-line reason
# on stderr ("tor_onion_baseline: FAIL: ..."). Every process it starts is killed by PID and the
# temp directory removed on exit. Needs tor, tor-gencert, python3 and curl.
set -uo pipefail
export LC_ALL=C
unset http_proxy https_proxy all_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY no_proxy NO_PROXY

PY=$(command -v python3)
N_FETCHES=${N_FETCHES:-20}
BOOT_TIMEOUT=120
PUBLISH_TIMEOUT=180

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
T_START=$(now_ms)
log() { printf '[tor_onion_baseline %6.1fs] %s\n' "$(( $(now_ms) - T_START ))e-3" "$*" >&2; }
fail() { printf 'tor_onion_baseline: FAIL: %s\n' "$*" >&2; exit 1; }
secs() { "$PY" -c "print(round(($2 - $1) / 1000, 2))"; }

for c in tor tor-gencert curl; do command -v "$c" >/dev/null || fail "$c is not installed (apt-get install -y tor curl)"; done
[ -n "$PY" ] || fail "python3 missing"

ORPHAN_GUARD=()
setpriv --pdeathsig TERM true 2>/dev/null && ORPHAN_GUARD=(setpriv --pdeathsig TERM)

TMP=$(mktemp -d /tmp/tor_onion_baseline.XXXXXX) || fail "mktemp failed"
declare -A PID_OF=()
KEYGEN_PIDS=()
cleanup() {
  local p name
  ours() { [[ $( { tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null ) == *"$TMP"* ]]; }
  for p in "${KEYGEN_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for name in "${!PID_OF[@]}"; do p=${PID_OF[$name]}; ours "$p" && kill -TERM "$p" 2>/dev/null; done
  for _ in $(seq 1 30); do
    local alive=0
    for name in "${!PID_OF[@]}"; do ours "${PID_OF[$name]}" && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  for name in "${!PID_OF[@]}"; do p=${PID_OF[$name]}; ours "$p" && kill -KILL "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'fail "interrupted"' INT TERM HUP

# ---- ports: 3 authorities x (OR, Dir) + 4 relays x OR + client SOCKS + HTTP ----
read -r -a P <<<"$("$PY" -c '
import socket
ss = [socket.socket() for _ in range(12)]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))')" || fail "could not pick free ports"
[ "${#P[@]}" = 12 ] || fail "could not pick free ports"
AUTHS=(a0 a1 a2); RELAYS=(m3 m4 m5 m6)
declare -A ORP DIRP FP
k=0
for n in "${AUTHS[@]}"; do ORP[$n]=${P[k]}; DIRP[$n]=${P[k+1]}; k=$((k+2)); done
for n in "${RELAYS[@]}"; do ORP[$n]=${P[k]}; k=$((k+1)); done
C0_SOCKS=${P[10]} HTTP_PORT=${P[11]}

# ---- keys ----
log "generating keys in $TMP"
for n in "${AUTHS[@]}" "${RELAYS[@]}"; do
  d="$TMP/$n"; mkdir -p "$d/keys"; chmod 700 "$d"
  (
    if [[ $n == a* ]]; then
      echo "" | tor-gencert --create-identity-key --passphrase-fd 0 -m 12 -a "127.0.0.1:${DIRP[$n]}" \
        -i "$d/keys/authority_identity_key" -s "$d/keys/authority_signing_key" \
        -c "$d/keys/authority_certificate" >"$d/gencert.log" 2>&1 || exit 1
    fi
    tor --ignore-missing-torrc -f /dev/null --orport 1 --datadirectory "$d" --list-fingerprint --hush \
      2>"$d/fp.err" | tail -1 | awk '{ $1=""; print }' | tr -d ' ' >"$d/fp"
  ) &
  KEYGEN_PIDS+=($!)
done
for p in "${KEYGEN_PIDS[@]}"; do wait "$p" || fail "key generation failed"; done
KEYGEN_PIDS=()
DIRAUTH=""
for n in "${AUTHS[@]}" "${RELAYS[@]}"; do
  FP[$n]=$(cat "$TMP/$n/fp")
  [[ ${FP[$n]} =~ ^[0-9A-F]{40}$ ]] || fail "no fingerprint for $n"
done
for n in "${AUTHS[@]}"; do
  v3=$(awk '/^fingerprint/ {print $2}' "$TMP/$n/keys/authority_certificate")
  [ -n "$v3" ] || fail "no authority certificate for $n"
  DIRAUTH+="DirAuthority $n orport=${ORP[$n]} no-v2 v3ident=$v3 127.0.0.1:${DIRP[$n]} ${FP[$n]}"$'\n'
done

# ---- torrc files ----
common() {
  cat <<EOF
TestingTorNetwork 1
DataDirectory $TMP/$1
RunAsDaemon 0
ShutdownWaitLength 0
Log notice file $TMP/$1/notice.log
SafeLogging 0
Sandbox 0
PathsNeededToBuildCircuits 0.67
${DIRAUTH}
EOF
}
relay() {
  common "$1"
  cat <<EOF
Nickname $1
ContactInfo $1@test.invalid
SocksPort 0
ORPort 127.0.0.1:${ORP[$1]}
Address 127.0.0.1
AssumeReachable 1
ExitRelay 0
TestingDirAuthVoteGuard *
TestingDirAuthVoteHSDir *
V3AuthNIntervalsValid 2
EOF
}
for n in "${AUTHS[@]}"; do
  { relay "$n"; cat <<EOF
DirPort 127.0.0.1:${DIRP[$n]}
AuthoritativeDirectory 1
V3AuthoritativeDirectory 1
TestingV3AuthInitialVotingInterval 20
TestingV3AuthInitialVoteDelay 4
TestingV3AuthInitialDistDelay 4
V3AuthVotingInterval 20
V3AuthVoteDelay 4
V3AuthDistDelay 4
EOF
  } >"$TMP/$n/torrc"
done
for n in "${RELAYS[@]}"; do relay "$n" >"$TMP/$n/torrc"; done
mkdir -p "$TMP/c0" "$TMP/s0/hs"; chmod 700 "$TMP/c0" "$TMP/s0" "$TMP/s0/hs"
{ common c0; cat <<EOF
SocksPort 127.0.0.1:$C0_SOCKS
LearnCircuitBuildTimeout 0
CircuitBuildTimeout 30
EOF
} >"$TMP/c0/torrc"
{ common s0; cat <<EOF
SocksPort 0
HiddenServiceDir $TMP/s0/hs
HiddenServicePort 80 127.0.0.1:$HTTP_PORT
EOF
} >"$TMP/s0/torrc"

start_tor() {
  "${ORPHAN_GUARD[@]}" tor -f "$TMP/$1/torrc" --__OwningControllerProcess $$ --hush \
    >"$TMP/$1/stdout.log" 2>&1 </dev/null &
  PID_OF[$1]=$!
}
check_alive() {
  local n
  for n in "${!PID_OF[@]}"; do
    kill -0 "${PID_OF[$n]}" 2>/dev/null || fail "$n exited early; last log line: $(cat "$TMP/$n/notice.log" "$TMP/$n/stdout.log" 2>/dev/null | grep . | tail -n1)"
  done
}

# ---- the page and its HTTP server ----
mkdir -p "$TMP/www"
head -c 1024 /dev/urandom | base64 -w0 | head -c 1024 >"$TMP/www/page"
"${ORPHAN_GUARD[@]}" "$PY" -m http.server "$HTTP_PORT" --bind 127.0.0.1 --directory "$TMP/www" \
  >"$TMP/http.log" 2>&1 </dev/null &
PID_OF[http]=$!
for _ in $(seq 1 50); do curl -sf --noproxy '*' -o /dev/null "http://127.0.0.1:$HTTP_PORT/page" && break; sleep 0.1; done

# ---- launch; wait for the onion address, then for the first fetch through it ----
log "launching 3 authorities, 4 relays, a client and an onion service"
T_LAUNCH=$(now_ms)
for n in "${AUTHS[@]}" "${RELAYS[@]}" c0 s0; do start_tor "$n"; done
deadline=$(( $(now_ms) + BOOT_TIMEOUT * 1000 ))
until [ -s "$TMP/s0/hs/hostname" ]; do
  check_alive; [ "$(now_ms)" -lt "$deadline" ] || fail "no onion hostname after $BOOT_TIMEOUT s"; sleep 0.2
done
ONION=$(cat "$TMP/s0/hs/hostname")
URL="http://$ONION/page"
log "onion service $ONION; waiting for it to be reachable"
deadline=$(( $(now_ms) + PUBLISH_TIMEOUT * 1000 ))
until curl -sf --socks5-hostname "127.0.0.1:$C0_SOCKS" --proxy-user "warmup:x" -m 30 -o /dev/null "$URL"; do
  check_alive; [ "$(now_ms)" -lt "$deadline" ] || fail "onion service not reachable after $PUBLISH_TIMEOUT s"; sleep 1
done
PUBLISH_S=$(secs "$T_LAUNCH" "$(now_ms)")
log "first fetch through the onion service ${PUBLISH_S}s after launch"

# ---- rendezvous setup: a new SOCKS identity per fetch ----
TIMES=()
for i in $(seq 1 "$N_FETCHES"); do
  t=$(curl -sf --socks5-hostname "127.0.0.1:$C0_SOCKS" --proxy-user "iso$i:x" -m 60 -o /dev/null \
    -w '%{time_starttransfer}' "$URL") || fail "fetch $i through the onion service failed"
  TIMES+=("$t")
done
log "fetches: ${TIMES[*]}"
"$PY" - "$PUBLISH_S" "$(tor --version | head -n1 | grep -o '[0-9][0-9.]*[0-9]' | head -n1)" "${TIMES[@]}" <<'EOF'
import json, math, sys
pub, ver, ts = float(sys.argv[1]), sys.argv[2], sorted(float(x) * 1000 for x in sys.argv[3:])
n = len(ts)
med = ts[n // 2] if n % 2 else (ts[n // 2 - 1] + ts[n // 2]) / 2
p95 = ts[max(0, math.ceil(0.95 * n) - 1)]
print(json.dumps({"rend_ms_median": round(med, 1), "rend_ms_p95": round(p95, 1), "rend_ms_min": round(ts[0], 1),
                  "rend_ms_max": round(ts[-1], 1), "fetches": n, "publish_s": pub, "relays": 7, "tor_version": ver}))
EOF
