#!/usr/bin/env bash
# The peer-to-peer demo: Alice and Bob, each a Cap'n Web server and client.
#
#   demo.p2p/run.sh alice|bob|both [jetty|vertx] [--batch] [--alice-port N] [--bob-port N]
#
# alice / bob: one peer in this terminal, serving until Ctrl+C (run the other in a second one).
# both:        both peers as two JVMs; they talk, say goodbye, and the script exits 0.
# Only the chosen transport's jars are on the module path; the demo finds it with ServiceLoader.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")

usage() { echo "Usage: $0 alice|bob|both [jetty|vertx] [--batch] [--alice-port N] [--bob-port N]" >&2; exit 2; }

mode=${1:-}
case "$mode" in alice|bob|both) shift ;; *) usage ;; esac
transport=jetty
case "${1:-}" in jetty|vertx) transport=$1; shift ;; esac
batch=()
alice_port=8080
bob_port=8081
while [[ $# -gt 0 ]]; do
    case "$1" in
        --batch) batch=(--batch) ;;
        --alice-port) alice_port=${2:?--alice-port needs a number}; shift ;;
        --bob-port) bob_port=${2:?--bob-port needs a number}; shift ;;
        *) usage ;;
    esac
    shift
done

lib="$here/target/lib-$transport"
jar="$here/target/demo-p2p.jar"
if [[ ! -f "$jar" || ! -d "$lib" ]]; then
    echo "Building the demo and its transports (once)..." >&2
    (cd "$root" && ./mvnw -B -q -DskipTests package -pl demo.p2p -am) >&2
fi

peer() { # name port peer-port [extra args]
    local name=$1 port=$2 peer_port=$3
    shift 3
    exec java -Djava.util.logging.config.file="$here/logging.properties" ${JAVA_OPTS:-} --module-path "$jar:$lib" --module demo.p2p/demo.p2p.Main \
        "$name" --port "$port" --peer-port "$peer_port" ${batch[@]+"${batch[@]}"} "$@"
}

case "$mode" in
    alice) peer alice "$alice_port" "$bob_port" ;;
    bob) peer bob "$bob_port" "$alice_port" ;;
    both)
        pids=()
        trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT INT TERM
        ( peer alice "$alice_port" "$bob_port" --exit 2>&1 | sed -u 's/^/[alice] /' ; exit "${PIPESTATUS[0]}" ) &
        pids+=($!)
        ( peer bob "$bob_port" "$alice_port" --exit 2>&1 | sed -u 's/^/[bob]   /' ; exit "${PIPESTATUS[0]}" ) &
        pids+=($!)
        status=0
        for pid in "${pids[@]}"; do wait "$pid" || status=1; done
        trap - EXIT INT TERM
        if [[ $status -eq 0 ]]; then echo "Both peers finished their conversation over $transport."; fi
        exit "$status"
        ;;
esac
