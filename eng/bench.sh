# shellcheck shell=bash
# ./build.sh bench [--quick]: the scenarios of issue 6 against the real system on loopback, beside
# references measured in the same run. Sourced by build.sh after the other eng/*.sh files.
#
# The order matters on a 2-core machine, so each phase runs with nothing else busy:
#   1. build the apps and the generator (eng/bench.slnf), and the C references from ../shared/bench-reference with gcc (into
#      .run/bench/refs, never into the repository; skipped with a message where ../shared is absent)
#   2. phase refs: the C server + client, and redis-server pub/sub through the same client (a
#      redis-server of its own with room for 10,000 subscribers), before our system starts
#   3. the `bench` instance's services, and RestApi, MainServerConsumer and MainServer on the bench
#      ports below; phase pipeline (a fresh MainServer first: connect time, idle memory)
#   4. the consumer stopped; phase fanout: the MainServer alone, fed straight into the Redis stream
#   5. everything stopped and the instance deleted; the report: the table on stdout, and
#      bench-results/<time>/ with results.json, summary.md and SVG charts
# The load generator is tests/RealTimeMessageChat.Bench; each phase is one run of it.

# The bench's own ports: apps, the C reference server, the pub/sub reference Redis. Services come
# from the `bench` row of INSTANCES (services.sh).
readonly BENCH_INSTANCE=bench
readonly BENCH_REST_PORT=18080 BENCH_TCP_PORT=19876 BENCH_SERVER_HEALTH_PORT=18081 BENCH_CONSUMER_HEALTH_PORT=18082
readonly BENCH_C_PORT=17001 BENCH_REF_REDIS_PORT=6399
readonly BENCH_DLL=tests/RealTimeMessageChat.Bench/bin/Release/net10.0/RealTimeMessageChat.Bench.dll
# Each client socket is a descriptor; 10,000 clients need the limit raised (hard limit here: 20,000).
readonly BENCH_MIN_FILES=12000

parse_bench_options() { # sets BENCH_QUICK and BENCH_ONLY
    BENCH_QUICK=0
    BENCH_ONLY=()
    while (($#)); do
        case $1 in
        --quick) BENCH_QUICK=1 ;;
        # Measurement ids or their prefixes (ours.pipeline, ref.broker): for profiling one scenario.
        --only)
            BENCH_ONLY+=("${2:?--only needs a measurement id prefix}")
            shift
            ;;
        *) die "unknown option '$1' for bench (expected --quick or --only ID)" ;;
        esac
        shift
    done
}

# The reference sources live beside the checkout in the development workspace only.
bench_reference_sources() {
    local dir
    for dir in "$ROOT/../shared/bench-reference" "$ROOT/../../shared/bench-reference"; do
        if [[ -f $dir/fanout_server.c && -f $dir/fanout_client.c ]]; then
            (cd "$dir" && pwd)
            return 0
        fi
    done
    return 1
}

# Sets BENCH_REFS_BIN (empty when the references cannot be built) and BENCH_REFS_SKIP.
build_bench_references() {
    local sources
    BENCH_REFS_BIN=
    BENCH_REFS_SKIP=
    if ! sources=$(bench_reference_sources); then
        BENCH_REFS_SKIP="../shared/bench-reference not found beside the checkout: C and Redis references skipped"
        warn "$BENCH_REFS_SKIP"
        return 0
    fi
    if ! command -v gcc >/dev/null; then
        say "installing gcc (for the C references)"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends gcc libc6-dev ||
            true
    fi
    if ! command -v gcc >/dev/null; then
        BENCH_REFS_SKIP="gcc not available: C and Redis references skipped"
        warn "$BENCH_REFS_SKIP"
        return 0
    fi
    local bin=$STATE_DIR/refs program
    mkdir -p "$bin"
    for program in fanout_server fanout_client; do
        if ! gcc -O2 -o "$bin/$program" "$sources/$program.c" 2>"$bin/$program.gcc.log"; then
            BENCH_REFS_SKIP="gcc failed on $sources/$program.c (see $bin/$program.gcc.log): references skipped"
            warn "$BENCH_REFS_SKIP"
            return 0
        fi
    done
    BENCH_REFS_BIN=$bin
    say "C references built from $sources into $bin"
}

reference_redis_ping() { [[ $(timeout 2 redis-cli -h 127.0.0.1 -p "$BENCH_REF_REDIS_PORT" ping 2>/dev/null) == PONG ]]; }

start_reference_redis() { # sets BENCH_REF_REDIS_PID
    local dir=$STATE_DIR/ref-redis
    BENCH_REF_REDIS_PID=0
    [[ -n $BENCH_REFS_BIN ]] || return 0
    port_open "$BENCH_REF_REDIS_PORT" && die "port $BENCH_REF_REDIS_PORT (reference redis) is taken by a process this script did not start"
    mkdir -p "$dir"
    # maxclients: 10,000 subscribers and the publisher; Redis needs 32 descriptors more than that.
    setsid redis-server --bind 127.0.0.1 --port "$BENCH_REF_REDIS_PORT" --dir "$dir" --save '' --appendonly no \
        --maxclients 15000 --daemonize no --logfile '' </dev/null >>"$dir/redis.log" 2>&1 9>&- &
    echo $! >"$dir/redis.pid"
    wait_ready "reference Redis" 30 "$dir/redis.pid" redis-server reference_redis_ping ||
        show_logs_and_die "the reference Redis did not start" "$dir/redis.log"
    BENCH_REF_REDIS_PID=$(read_pid "$dir/redis.pid")
}

stop_reference_redis() { stop_pid "reference Redis" "$STATE_DIR/ref-redis/redis.pid" redis-server TERM 10; }

# The bench's apps listen on the bench ports; the MainServer takes a few more connections than the
# 10,000 clients, so sockets the bench just closed cannot count against a new scenario's clients.
# APP_ENV is apps.sh's associative array.
# shellcheck disable=SC2034
configure_bench_apps() {
    # The per-user publish limit is a policy, not the system's capacity: the throughput scenario's
    # 40 users would otherwise be capped at 40 x rate_limit_per_second (8,000/s by default).
    APP_ENV["RestApi"]="RTMC_SERVER_PORT=$BENCH_REST_PORT RTMC_RATE_LIMIT_PER_SECOND=1000000 RTMC_RATE_LIMIT_BURST=1000000"
    APP_ENV["MainServerConsumer"]="RTMC_HEALTH_PORT=$BENCH_CONSUMER_HEALTH_PORT"
    # Every bench client connects from 127.0.0.1: no per-address limit.
    APP_ENV["MainServer"]="RTMC_SERVER_PORT=$BENCH_TCP_PORT RTMC_HEALTH_PORT=$BENCH_SERVER_HEALTH_PORT RTMC_MAX_CONNECTIONS=11000 RTMC_MAX_CONNECTIONS_PER_ADDRESS=0"
}

# run_bench_phase PHASE [generator options...]: one run of the load generator.
run_bench_phase() {
    local phase=$1
    shift
    local -a args=(--phase "$phase" --out "$BENCH_OUT" --api-url "http://127.0.0.1:$BENCH_REST_PORT"
        --tcp-port "$BENCH_TCP_PORT" --redis-port "$REDIS_PORT" --amqp-port "$AMQP_PORT"
        --refs-bin "$BENCH_REFS_BIN" --refs-skip-reason "${BENCH_REFS_SKIP:-none}" --ref-port "$BENCH_C_PORT")
    ((BENCH_QUICK)) && args+=(--quick)
    ((${#BENCH_ONLY[@]})) && args+=(--only "${BENCH_ONLY[@]}")
    local started=$EPOCHREALTIME
    say "bench phase $phase"
    (
        # shellcheck source=/dev/null
        [[ -f $SERVICES_ENV ]] && source "$SERVICES_ENV"
        # Socket completions run on the epoll threads instead of hopping to the thread pool: the
        # generator's per-read work is short and never blocks.
        DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 DOTNET_gcServer=0 \
            exec dotnet "$BENCH_DLL" "${args[@]}" --amqp-user "${RTMC_RABBITMQ_USER:-guest}" "$@" 9>&-
    ) || warn "bench phase $phase ended with an error (its measurements are kept)"
    say "bench phase $phase took $(elapsed "$started") s"
}

# Whatever a bench leaves running is stopped and its instance deleted, however it ends.
bench_cleanup() {
    trap - EXIT INT TERM
    select_instance "$BENCH_INSTANCE"
    stop_reference_redis || true
    apps_stop || true
    (
        lock_instance
        services_reset
    ) || true
}

cmd_bench() {
    parse_bench_options "$@"
    local started=$EPOCHREALTIME
    require_dotnet
    ensure_packages
    select_instance "$BENCH_INSTANCE"
    configure_bench_apps

    local hard
    hard=$(ulimit -Hn)
    [[ $hard == unlimited ]] || ((hard >= BENCH_MIN_FILES)) ||
        die "the open-files hard limit is $hard; 10,000 clients need at least $BENCH_MIN_FILES (ulimit -Hn)"
    ulimit -n "$hard"

    BENCH_OUT=$ROOT/bench-results/$(date -u +%Y%m%dT%H%M%SZ)
    ((BENCH_QUICK)) && BENCH_OUT+=-quick
    mkdir -p "$BENCH_OUT"
    trap bench_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

    # Left over from a bench that was killed: start clean.
    apps_stop
    stop_reference_redis

    # Only what runs: the three apps and the generator (eng/bench.slnf), not the test projects.
    local step=$EPOCHREALTIME
    say "dotnet build eng/bench.slnf -c Release"
    dotnet build "$ROOT/eng/bench.slnf" -c Release
    build_bench_references
    say "build took $(elapsed "$step") s"

    start_reference_redis
    run_bench_phase refs --ref-redis-port "$BENCH_REF_REDIS_PORT" --ref-redis-pid "$BENCH_REF_REDIS_PID"
    stop_reference_redis

    step=$EPOCHREALTIME
    (
        lock_instance
        services_start
    )
    apps_start
    say "system started in $(elapsed "$step") s"
    run_bench_phase pipeline --mainserver-pid "$(read_pid "$STATE_DIR/apps/MainServer.pid")"

    # From here the MainServer alone follows the stream: the consumer (and its persister) would
    # otherwise compete for the two cores and write every appended message to PostgreSQL.
    stop_app MainServerConsumer
    run_bench_phase fanout --mainserver-pid "$(read_pid "$STATE_DIR/apps/MainServer.pid")"

    cp "$STATE_DIR/logs/"*.out "$BENCH_OUT/" 2>/dev/null || true
    bench_cleanup
    say "bench finished in $(elapsed "$started") s"
    dotnet "$BENCH_DLL" --phase report --out "$BENCH_OUT"
}
