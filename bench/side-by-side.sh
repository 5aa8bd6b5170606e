#!/usr/bin/env bash
# The side-by-side benchmark: the reference implementation (capnweb 0.12.0 on Node) and the Java
# servers, driven in turn by the same load clients, with each server's CPU time and peak memory
# read from /proc. Prints the medians and the ratios against the goals (docs/PERFORMANCE.md).
#
# Usage, from the repository root:  bench/side-by-side.sh [RUNS] [SECONDS]
#   RUNS     how many times to measure everything (default 3); the summary shows medians
#   SECONDS  length of each measured window (default 5; each also has a 2 s warm-up)
# Environment: TRANSPORTS (default "jetty vertx", those built), JAVA_OPTS (passed to the Java
# servers), WARM (default 8: seconds of each scenario in the warm-up pass every server gets before
# it is measured; the JVM's compiler needs about 10 s of a new kind of load to settle), PORT
# (default 18700), DIRECT (default yes: also measure each transport's server, and the Java
# client, with SessionOptions.directExecutor(), named "TRANSPORT+direct"; "no" skips it),
# MANY_SESSIONS (default no; "yes" also measures sessions64, 64 sessions with one call at a time
# on each, with both clients against every RPC server; no goal uses it), BUILD (default yes:
# package the code as it is first; "no" runs the jars already in bench/target and interop/target,
# for comparing builds swapped in by hand).
# Builds first (./mvnw package), and installs the reference if missing (npm ci).
set -euo pipefail

runs="${1:-3}"
seconds="${2:-5}"
warmup=2
warm_seconds="${WARM:-8}"
port="${PORT:-18700}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# --- build if needed -------------------------------------------------------------------------
use_interop=no
if [ -x interop/test-server.sh ] && [ -d interop/src ]; then
    use_interop=yes
fi
modules="bench"
[ "$use_interop" = yes ] && modules="bench,interop"
# Always: the servers run from the jars copied into target/lib, which an earlier build (or an
# A/B comparison) may have left behind, so without a build the run could measure old code.
if [ "${BUILD:-yes}" != no ]; then
    echo "Building $modules (./mvnw -B -q -DskipTests package -pl $modules -am)..." >&2
    ./mvnw -B -q -DskipTests package -pl "$modules" -am
elif [ ! -d bench/target/lib ] || [ ! -d bench/target/classes/capnweb ]; then
    echo "BUILD=no, but there is no bench build in bench/target." >&2
    exit 1
fi
if [ ! -f bench/node/node_modules/capnweb/package.json ]; then
    echo "Installing the reference implementation (npm ci in bench/node)..." >&2
    (cd bench/node && npm ci --no-audit --no-fund >&2)
fi

cp="bench/target/classes:bench/target/lib/*"
available=""
for t in ${TRANSPORTS:-jetty vertx}; do
    if ls bench/target/lib/capnweb-transport-"$t"-*.jar >/dev/null 2>&1; then
        available="$available $t"
    else
        echo "Skipping $t: its transport jar is not in bench/target/lib." >&2
    fi
done

out="bench/target/side-by-side"
mkdir -p "$out"
results="$out/results-$(date -u +%Y%m%dT%H%M%SZ).tsv"
server_pid=""

stop_server() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=""
    fi
}
trap stop_server EXIT

# start_server LOG CMD...: starts a server that prints READY, sets server_pid
start_server() {
    local log="$1"
    shift
    "$@" >"$log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 300); do
        if grep -q '^READY ' "$log" 2>/dev/null; then
            return 0
        fi
        if ! kill -0 "$server_pid" 2>/dev/null; then
            echo "The server exited before it was ready: $*; its output:" >&2
            cat "$log" >&2
            exit 1
        fi
        sleep 0.1
    done
    echo "The server did not print READY within 30 s: $*" >&2
    exit 1
}

node_load() { # SERVER-NAME [extra args]
    local name="$1"
    shift
    node bench/node/load.mjs --url "http://127.0.0.1:$port/rpc" --pid "$server_pid" --server "$name" "$@"
}
java_load() { # SERVER-NAME [extra args]
    local name="$1"
    shift
    java -cp "$cp" capnweb.bench.LoadClient --url "http://127.0.0.1:$port/rpc" --pid "$server_pid" \
        --server "$name" "$@"
}
# The same pass over every scenario for every server, so that both JITs (V8's and the JVM's) are
# warm before anything is measured: V8 settles within a second, the JVM's C2 after about 10 s
# (with its own 1 s warm-up and the measured window's 2 s, each scenario gets WARM + 3 s).
warm() {
    node_load "$1" --seconds "$warm_seconds" --warmup 1 >/dev/null || true
}
measure() { # prints the table, appends the RESULT lines; a failed scenario is reported, not fatal
    "$@" --seconds "$seconds" --warmup "$warmup" | tee -a "$results" | grep -v '^RESULT' \
        || echo "Some scenarios failed in: $*" >&2
}
many_sessions() { # SERVER-NAME [Java client args]: sessions64 with both clients, if asked for
    if [ "${MANY_SESSIONS:-no}" = yes ]; then
        local name="$1"
        shift
        measure node_load "$name" --scenarios sessions64
        measure java_load "$name" "$@" --scenarios sessions64
    fi
}

echo "Load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; results in $results" >&2
# How idle CPUs sleep changes every sequential row: a CPU that halts is slow to wake (PERFORMANCE.md,
# "Sequential calls and idle vCPUs"), so say how this machine's do.
idle_driver="$(cat /sys/devices/system/cpu/cpuidle/current_driver 2>/dev/null || echo unknown)"
halt_poll="$(cat /sys/module/haltpoll/parameters/guest_halt_poll_ns 2>/dev/null || echo n/a)"
echo "Idle CPUs: cpuidle driver $idle_driver, guest_halt_poll_ns $halt_poll" >&2
for run in $(seq 1 "$runs"); do
    echo "=== run $run of $runs ===" >&2
    start_server "$out/reference.log" node bench/node/server.mjs "$port"
    warm reference
    measure node_load reference
    measure java_load reference --transport jetty --scenarios seq,conc256,batch
    many_sessions reference --transport jetty
    stop_server

    for t in $available; do
        if [ "$use_interop" = yes ]; then
            start_server "$out/$t.log" interop/test-server.sh "$port" "$t"
        else
            # shellcheck disable=SC2086 # JAVA_OPTS holds several options on purpose
            start_server "$out/$t.log" java ${JAVA_OPTS:-} -cp "$cp" -Dcapnweb.transport="$t" \
                capnweb.bench.BenchServer "$port" "$t" rpc
        fi
        warm "$t"
        measure node_load "$t"
        measure java_load "$t" --transport "$t"
        many_sessions "$t" --transport "$t"
        stop_server

        if [ "${DIRECT:-yes}" != no ]; then
            # shellcheck disable=SC2086
            start_server "$out/$t-direct.log" java ${JAVA_OPTS:-} -cp "$cp" -Dcapnweb.transport="$t" \
                capnweb.bench.BenchServer "$port" "$t" rpc-direct
            warm "$t+direct"
            measure node_load "$t+direct"
            measure java_load "$t+direct" --transport "$t" --direct --scenarios seq,conc256,batch
            many_sessions "$t+direct" --transport "$t" --direct
            stop_server
        fi

        # shellcheck disable=SC2086
        start_server "$out/raw-$t.log" java ${JAVA_OPTS:-} -cp "$cp" -Dcapnweb.transport="$t" \
            capnweb.bench.BenchServer "$port" "$t" raw
        java_load "raw-$t" --transport "$t" --scenarios rawseq,raw256,rawcall256 --seconds 1 --warmup 1 >/dev/null || true
        measure java_load "raw-$t" --transport "$t" --scenarios rawseq,raw256,rawcall256
        stop_server
    done
done
echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo
java -cp "$cp" capnweb.bench.Summary "$results" | tee "$out/summary.txt"
java -cp "$cp" capnweb.bench.Summary --markdown "$results" >"$out/summary.md"
echo "Markdown tables: $out/summary.md" >&2
