#!/usr/bin/env bash
# The install layout, tested as an operator uses it: `cmake --install` of the already built
# binary into a temporary prefix (nothing is rebuilt), then everything run from there — `--version`
# and `version`, `serve` configured by SIGNPOST_* variables (one a flag overrides), the dashboard
# found in <prefix>/share/signpost/web without flags, /healthz, /readyz naming its checks,
# /metrics (every line in the exposition grammar, the build info, request counters by route), the
# JSON access log and application log, and the installed systemd unit (`systemd-analyze verify`
# when the machine has it). Usage: install.sh BUILD
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PREFIX=$WORK/prefix

cmake --install "$BUILD" --prefix "$PREFIX" >"$WORK/install.log" 2>&1 || {
  cat "$WORK/install.log"; exit 1; }
check "bin/signpost installed" "$([ -x "$PREFIX/bin/signpost" ] && echo yes)" yes
UNIT=$PREFIX/lib/systemd/system/signpost.service
check "the systemd unit installed" "$([ -f "$UNIT" ] && echo yes)" yes
check_contains "the unit starts the installed binary" "$(grep '^ExecStart=' "$UNIT")" \
  "ExecStart=$PREFIX/bin/signpost serve --data /var/lib/signpost"
check "the example settings installed" "$([ -f "$PREFIX/share/signpost/signpost.env" ] && echo yes)" yes
check "the docs installed" "$([ -f "$PREFIX/share/doc/signpost/README.md" ] && echo yes)" yes
WEBDIR=$PREFIX/share/signpost/web
if [ ! -f "$ROOT/web/dist/index.html" ]; then
  # `make test` builds the dashboard first; run alone without it, a stand-in tests the lookup.
  echo "note: web/dist is not built (make web); a stand-in index.html tests the lookup"
  mkdir -p "$WEBDIR" && echo '<html>stand-in dashboard</html>' >"$WEBDIR/index.html"
fi
check "the dashboard installed under share/" "$([ -f "$WEBDIR/index.html" ] && echo yes)" yes

# ---- what the binary is
version=$("$PREFIX/bin/signpost" --version)
check "--version and version print the same" "$("$PREFIX/bin/signpost" version)" "$version"
if [[ $version =~ ^signpost\ [0-9]+\.[0-9]+\.[0-9]+\ \(commit\ ([0-9a-f]{12}(-dirty)?|unknown),\ [A-Za-z]+,\ .+\)$ ]]; then
  check "--version: version, commit, build type, compiler" ok ok
else
  check "--version: version, commit, build type, compiler" "$version" "signpost X.Y.Z (commit C, TYPE, COMPILER)"
fi
commit=$("$PREFIX/bin/signpost" version --json | json commit)
if git -C "$ROOT" rev-parse HEAD >/dev/null 2>&1; then
  check "the commit is the checkout's" "${commit%-dirty}" "$(git -C "$ROOT" rev-parse --short=12 HEAD)"
fi

# ---- serve from the prefix, configured by the environment, from a folder with no web/dist
cd "$WORK"
SIGNPOST_DATA=$DATA SIGNPOST_PORT=0 SIGNPOST_JOURNEY_PARTITIONS=1 SIGNPOST_LOG_FORMAT=json \
  SIGNPOST_ACCESS_LOG=$WORK/access.log SIGNPOST_LOG_LEVEL=error \
  "$PREFIX/bin/signpost" serve --log-level info >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
for _ in $(seq 1 100); do grep -q "listening on" "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
URL=$(grep -o 'http://[0-9.:]*' "$WORK/serve.out" | head -1)
[ -n "$URL" ] || { echo "serve did not start:"; cat "$WORK/serve.out" "$WORK/serve.err"; exit 1; }
check "SIGNPOST_DATA: the store is where the variable says" "$([ -d "$DATA" ] && echo yes)" yes

check "GET / is the installed dashboard" "$(curl -s "$URL/")" "$(cat "$WEBDIR/index.html")"
check "/healthz" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/healthz")" 200
ready=$(curl -s -w ' %{http_code}' "$URL/readyz")
check "/readyz answers 200" "${ready##* }" 200
check "/readyz names its checks" "$(echo "${ready% *}" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).checks.map(c=>c.name+":"+c.ok).join(",")))')" \
  "store_open:true,durable_writes:true,journeys_caught_up:true"
curl -s -o /dev/null "$URL/api/profiles/someone" -H 'Authorization: Bearer wrong'  # a 401
metrics=$(curl -s "$URL/metrics")
bad=$(echo "$metrics" | grep -Ev '^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$' |
  grep -Ev '^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")*\})? -?[0-9.e+-]+$' || true)
check "/metrics: every line in the exposition grammar" "$bad" ""
check_contains "/metrics: the build info" "$metrics" "signpost_build_info{version=\""
check_contains "/metrics: the build info's commit" "$metrics" "commit=\"$commit\""
check_contains "SIGNPOST_JOURNEY_PARTITIONS took effect" "$metrics" "signpost_journey_partitions 1"
check_contains "/metrics: requests by route pattern" "$metrics" \
  'signpost_http_requests_total{route="/api/profiles/{id}",method="GET",code="401"} 1'
check_contains "/metrics: latency histogram" "$metrics" \
  'signpost_http_request_duration_seconds_count{route="/healthz",method="GET"} 1'

kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
# The access log: one JSON object per request, in order.
check "access log: one line per request" "$(wc -l <"$WORK/access.log")" 5
check "access log: JSON with route and status" \
  "$(head -2 "$WORK/access.log" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(s.trim().split("\n").map(l=>{const j=JSON.parse(l);return [j.logger,j.method,j.path,j.route,j.status].join(" ")}).join("|")))')" \
  "access GET / other 200|access GET /healthz /healthz 200"
# The application log: every stderr line one JSON object; --log-level info beat SIGNPOST_LOG_LEVEL.
check "app log: every line JSON with time, level, logger, message" \
  "$(node -e 'const ls=require("fs").readFileSync(process.argv[1],"utf8").trim().split("\n");console.log(ls.every(l=>{const j=JSON.parse(l);return j.time&&j.level&&j.logger&&typeof j.message==="string"}))' "$WORK/serve.err")" true
check_contains "app log: the flag beat the variable (info lines)" "$(cat "$WORK/serve.err")" '"level":"info"'
check_contains "app log: the stop is logged" "$(cat "$WORK/serve.err")" 'stopping (signal 15)'

# ---- the systemd unit
if command -v systemd-analyze >/dev/null 2>&1; then
  if out=$(systemd-analyze verify --man=no "$UNIT" 2>&1); then rc=0; else rc=$?; fi
  check "systemd-analyze verify the installed unit" "$rc $out" "0 "
else
  echo "skip systemd-analyze verify: not installed"
fi
finish
