#!/usr/bin/env bash
# Installs what the interop suite needs, into the git-ignored .cache/interop/:
#   lib-5/   Apache RocketMQ 5.3.3 broker, namesrv, tools (mqadmin), client + dependencies
#   lib-4/   Apache RocketMQ 4.9.x broker, client + dependencies (older protocol versions)
#   interop-harness.jar   our Java producer/consumer programs (interop/java)
#   bin/interop-go        our Go producer/consumer over rocketmq-client-go v2 (interop/go)
# Idempotent: each part is rebuilt only when its inputs changed (a stamp records their hash).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE="$ROOT/.cache/interop"
ROCKETMQ4_VERSION=4.9.7   # newest 4.9.x with a broker on Maven Central (client 4.9.8 has no broker)

log() { printf '[interop-setup] %s\n' "$*"; }
die() { printf '[interop-setup] ERROR: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "'$1' not found on PATH ($2)"; }
hash_of() { cat "$@" | sha256sum | cut -d' ' -f1; }
# Maven's full log goes to a file; its tail is shown only when it fails.
maven() {
  if ! mvn -B -Dstyle.color=never "$@" >>"$CACHE/maven.log" 2>&1; then
    tail -n 40 "$CACHE/maven.log" >&2
    return 1
  fi
}

need java "install a JDK 17"
need mvn "install Maven 3.8+"
need go "install Go 1.21+"
need npx "install Node 20 and npm"
mkdir -p "$CACHE/bin"

# ---- Java: RocketMQ jars + our harness ---------------------------------------------------------
java_inputs=("$ROOT/interop/java/pom.xml" "$ROOT/interop/setup.sh")
while IFS= read -r f; do java_inputs+=("$f"); done < <(find "$ROOT/interop/java/src" -type f | sort)
java_stamp=$(hash_of "${java_inputs[@]}")
if [[ -f "$CACHE/java.stamp" && "$(cat "$CACHE/java.stamp")" == "$java_stamp" \
      && -f "$CACHE/interop-harness.jar" && -d "$CACHE/lib-5" && -d "$CACHE/lib-4" ]]; then
  log "Java: up to date (lib-5: $(ls "$CACHE/lib-5" | wc -l) jars, lib-4: $(ls "$CACHE/lib-4" | wc -l) jars)"
else
  cd "$ROOT/interop/java"
  rm -rf "$CACHE/lib-5.tmp" "$CACHE/lib-4.tmp"
  : >"$CACHE/maven.log"
  log "Java: building harness and resolving RocketMQ 5.3.3 from Maven Central"
  maven package dependency:copy-dependencies -DoutputDirectory="$CACHE/lib-5.tmp" \
    || die "maven build / RocketMQ 5.3.3 resolution failed (see $CACHE/maven.log)"
  log "Java: resolving RocketMQ $ROCKETMQ4_VERSION from Maven Central"
  maven -Drocketmq.version="$ROCKETMQ4_VERSION" dependency:copy-dependencies -DoutputDirectory="$CACHE/lib-4.tmp" \
    || die "RocketMQ $ROCKETMQ4_VERSION resolution failed (see $CACHE/maven.log)"
  rm -rf "$CACHE/lib-5" "$CACHE/lib-4"
  mv "$CACHE/lib-5.tmp" "$CACHE/lib-5"
  mv "$CACHE/lib-4.tmp" "$CACHE/lib-4"
  cp "$CACHE/java-target/interop-harness.jar" "$CACHE/interop-harness.jar"
  ls "$CACHE/lib-5" | grep -q '^rocketmq-broker-5\.3\.3\.jar$' || die "lib-5 lacks rocketmq-broker-5.3.3.jar"
  ls "$CACHE/lib-4" | grep -q "^rocketmq-broker-$ROCKETMQ4_VERSION\.jar$" || die "lib-4 lacks rocketmq-broker-$ROCKETMQ4_VERSION.jar"
  echo "$java_stamp" > "$CACHE/java.stamp"
  log "Java: lib-5 $(ls "$CACHE/lib-5" | wc -l) jars, lib-4 $(ls "$CACHE/lib-4" | wc -l) jars, harness built"
fi

# ---- Go: rocketmq-client-go v2 program ---------------------------------------------------------
go_stamp=$(hash_of "$ROOT/interop/go/go.mod" "$ROOT/interop/go/go.sum" "$ROOT/interop/go/"*.go "$ROOT/interop/setup.sh")
if [[ -f "$CACHE/go.stamp" && "$(cat "$CACHE/go.stamp")" == "$go_stamp" && -x "$CACHE/bin/interop-go" ]]; then
  log "Go: up to date ($CACHE/bin/interop-go)"
else
  log "Go: building interop-go (rocketmq-client-go v2) with $(go version | cut -d' ' -f3)"
  (cd "$ROOT/interop/go" && go build -mod=readonly -o "$CACHE/bin/interop-go" .) || die "go build failed"
  echo "$go_stamp" > "$CACHE/go.stamp"
  log "Go: built $CACHE/bin/interop-go"
fi

# ---- Bun: runs our NameServer (tcp-bridge/main.ts) ---------------------------------------------
cd "$ROOT"
if bun_version=$(npx --no-install bun --version 2>/dev/null); then
  log "Bun: $bun_version (npx bun)"
elif [[ "${INTEROP_NAMESRV:-ours}" == "java" ]]; then
  log "Bun: not available via npx (run npm ci); not needed with INTEROP_NAMESRV=java"
else
  die "bun is not available via 'npx bun' (run 'npm ci' first); it runs our NameServer"
fi

# ---- Redis: shared-redis.test.ts runs two of our bridges on a private redis-server (ours mode) ---
[[ "${INTEROP_NAMESRV:-ours}" == "java" ]] || bash "$ROOT/scripts/install-redis.sh" || die "redis-server is needed (scripts/install-redis.sh failed)"

log "ready: NameServer under test = ${INTEROP_NAMESRV:-ours}"
