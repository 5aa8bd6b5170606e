#!/usr/bin/env bash
# Runs the JMH benchmarks of the engine: bench/jmh.sh [JMH OPTIONS] [BENCHMARK REGEX]
# e.g. bench/jmh.sh EngineBenchmarks.call   or   bench/jmh.sh -f 1 -wi 2 -i 3
# From the repository root; builds the bench module first if it was never built.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [ ! -d bench/target/lib ] || [ ! -f bench/target/classes/META-INF/BenchmarkList ]; then
    ./mvnw -B -q -DskipTests package -pl bench -am
fi
exec java -cp "bench/target/classes:bench/target/lib/*" org.openjdk.jmh.Main "$@"
