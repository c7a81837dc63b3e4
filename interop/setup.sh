#!/usr/bin/env bash
# Installs what the interop suite needs, into the git-ignored .cache/interop/:
#   lib-55/  Apache RocketMQ 5.5.0 broker, namesrv, tools (mqadmin), client + dependencies
#   lib-5/   the same at 5.3.3
#   lib-4/   the same at 4.9.7 (older protocol versions)
#   interop-harness.jar   our Java producer/consumer programs (interop/java)
#   bin/interop-go        our Go producer/consumer over rocketmq-client-go v2 (interop/go)
#   bin/interop-rust      our Rust producer/consumer/route lookup over rocketmq-client-rust (interop/rust)
# Idempotent: each part is rebuilt only when its inputs changed (a stamp records their hash).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE="$ROOT/.cache/interop"
# Each RocketMQ release the suite runs, and the classpath directory it gets. 5.3.3 is the harness's
# compile-time version (interop/java/pom.xml) and the one bench/ borrows the NameServer from.
#   5.5.0: newest release whose broker, namesrv, tools and client all resolve (5.5.1 lacks several)
#   4.9.7: newest 4.9.x with a broker on Maven Central (4.9.8 has only a client)
ROCKETMQ_LINES=("5.3.3:lib-5" "5.5.0:lib-55" "4.9.7:lib-4")

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
# rustup installs cargo under ~/.cargo/bin, which a non-login shell may not have on PATH.
if ! command -v cargo >/dev/null 2>&1 && [[ -x "$HOME/.cargo/bin/cargo" ]]; then PATH="$HOME/.cargo/bin:$PATH"; fi
need cargo "install Rust 1.95+ (rustup)"
need npx "install Node 20 and npm"
mkdir -p "$CACHE/bin"

# ---- Java: RocketMQ jars + our harness ---------------------------------------------------------
java_inputs=("$ROOT/interop/java/pom.xml" "$ROOT/interop/setup.sh")
while IFS= read -r f; do java_inputs+=("$f"); done < <(find "$ROOT/interop/java/src" -type f | sort)
java_stamp=$(hash_of "${java_inputs[@]}")
jar_counts() {
  local line counts=()
  for line in "${ROCKETMQ_LINES[@]}"; do counts+=("${line#*:} $(ls "$CACHE/${line#*:}" | wc -l) jars"); done
  local IFS=,; echo "${counts[*]}" | sed 's/,/, /g'
}
java_ready=true
for line in "${ROCKETMQ_LINES[@]}"; do [[ -d "$CACHE/${line#*:}" ]] || java_ready=false; done
if [[ -f "$CACHE/java.stamp" && "$(cat "$CACHE/java.stamp")" == "$java_stamp" && -f "$CACHE/interop-harness.jar" && "$java_ready" == true ]]; then
  log "Java: up to date ($(jar_counts))"
else
  cd "$ROOT/interop/java"
  : >"$CACHE/maven.log"
  log "Java: building the harness"
  maven package || die "maven build of the harness failed (see $CACHE/maven.log)"
  for line in "${ROCKETMQ_LINES[@]}"; do
    version=${line%%:*} dir=${line#*:}
    log "Java: resolving RocketMQ $version from Maven Central into $dir/"
    rm -rf "$CACHE/$dir.tmp"
    maven -Drocketmq.version="$version" dependency:copy-dependencies -DoutputDirectory="$CACHE/$dir.tmp" \
      || die "RocketMQ $version resolution failed (see $CACHE/maven.log)"
    for module in broker namesrv tools client; do
      [[ -f "$CACHE/$dir.tmp/rocketmq-$module-$version.jar" ]] || die "$dir lacks rocketmq-$module-$version.jar"
    done
  done
  for line in "${ROCKETMQ_LINES[@]}"; do
    dir=${line#*:}
    rm -rf "${CACHE:?}/$dir"
    mv "$CACHE/$dir.tmp" "$CACHE/$dir"
  done
  cp "$CACHE/java-target/interop-harness.jar" "$CACHE/interop-harness.jar"
  echo "$java_stamp" > "$CACHE/java.stamp"
  log "Java: $(jar_counts), harness built"
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

# ---- Rust: rocketmq-client-rust program ----------------------------------------------------------
# A debug build (no debug info): compiling the client's ~400 crates with optimisations takes far
# longer on 2 cores and buys nothing for a few dozen messages. Cargo.lock pins every crate.
rust_stamp=$(hash_of "$ROOT/interop/rust/Cargo.toml" "$ROOT/interop/rust/Cargo.lock" "$ROOT/interop/rust/src/"*.rs "$ROOT/interop/setup.sh")
if [[ -f "$CACHE/rust.stamp" && "$(cat "$CACHE/rust.stamp")" == "$rust_stamp" && -x "$CACHE/bin/interop-rust" ]]; then
  log "Rust: up to date ($CACHE/bin/interop-rust)"
else
  log "Rust: building interop-rust (rocketmq-client-rust) with $(cargo --version | cut -d' ' -f2); the first build takes several minutes"
  (cd "$ROOT/interop/rust" && CARGO_TARGET_DIR="$CACHE/rust-target" cargo build --locked --quiet) >"$CACHE/cargo.log" 2>&1 \
    || { tail -n 40 "$CACHE/cargo.log" >&2; die "cargo build failed (see $CACHE/cargo.log)"; }
  cp "$CACHE/rust-target/debug/interop-rust" "$CACHE/bin/interop-rust"
  echo "$rust_stamp" > "$CACHE/rust.stamp"
  log "Rust: built $CACHE/bin/interop-rust"
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
