#!/usr/bin/env bash
# Starts the interop test server: interop/test-server.sh PORT jetty|vertx
# Run from the repository root after `./mvnw -B -DskipTests package`. Prints
# "READY http://127.0.0.1:PORT" once it accepts connections; SIGTERM stops it. The JVM replaces
# this script (same process id); extra JVM options come from JAVA_OPTS.
set -euo pipefail

if [ "$#" -ne 2 ]; then
    echo "Usage: interop/test-server.sh PORT jetty|vertx" >&2
    exit 2
fi
case "$2" in
    jetty|vertx) ;;
    *) echo "The transport must be jetty or vertx, got '$2'." >&2; exit 2 ;;
esac

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
target="$here/target"
shopt -s nullglob
jars=("$target"/capnweb-interop-*.jar)
if [ "${#jars[@]}" -eq 0 ] || [ ! -d "$target/lib" ]; then
    echo "No interop build found in $target; run ./mvnw -B -DskipTests package from the repository root first." >&2
    exit 1
fi

java_cmd="java"
if [ -n "${JAVA_HOME:-}" ]; then
    java_cmd="$JAVA_HOME/bin/java"
fi

# shellcheck disable=SC2086 # JAVA_OPTS holds several options on purpose
exec "$java_cmd" ${JAVA_OPTS:-} --module-path "${jars[0]}:$target/lib" \
    -Dcapnweb.transport="$2" --module capnweb.interop/capnweb.interop.TestServer "$1" "$2"
