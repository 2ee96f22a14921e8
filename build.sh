#!/usr/bin/env bash
# One entry point for building, testing and running RealTimeMessageChat on a plain Debian machine.
# Our machines (CI's included) have no Docker engine and no systemd, so this script installs
# Redis, RabbitMQ and PostgreSQL from Debian and runs private copies of them on loopback, with all
# state under .run/<instance>/. `./build.sh help` lists the commands.
#
# The `bash -c '...'` snippets below expand their own positional parameters, on purpose:
# shellcheck disable=SC2016
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

readonly SOLUTION=RealTimeMessageChat.sln
readonly PG_BIN=/usr/lib/postgresql/15/bin
readonly RABBITMQ_BIN=/usr/lib/rabbitmq/bin
readonly COMPOSE_FILE=docker/docker-compose.yml
# Started by `run`, in this order; the consumer and the server only need the services, and the
# API answers /health/ready only once the broker is reachable.
readonly APPS=(RestApi MainServerConsumer MainServer)

# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------

# Progress goes to stderr so that stdout stays clean for `services env` (meant for eval) and the
# test summary stays the last line.
say() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

elapsed() { # START (an $EPOCHREALTIME) -> seconds since, with one decimal
    local now=${EPOCHREALTIME/[.,]/} start=${1/[.,]/}
    local tenths=$(((now - start) / 100000))
    printf '%d.%d' $((tenths / 10)) $((tenths % 10))
}

random_hex() { # BYTES -> 2*BYTES hex characters; /dev/urandom needs no extra package
    od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'
}

read_pid() { # FILE -> its first line, or nothing
    if [[ -f $1 ]]; then head -n1 "$1"; fi
}

# True if PID exists, is not a zombie, and its command line contains PATTERN. The pattern guards
# against a recycled PID; the zombie check matters because a server whose launching shell has
# exited is reaped by PID 1 only every few seconds, and `kill -0` still succeeds meanwhile.
pid_alive() {
    local pid=$1 pattern=$2 stat state cmdline
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
    state=${stat##*) }
    state=${state%% *}
    [[ $state != Z && $state != X ]] || return 1
    cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
    [[ $cmdline == *"$pattern"* ]]
}

# Bash's /dev/tcp runs inside `timeout bash -c` so a dead or hung port can neither block nor,
# through a failed redirection, end this script.
port_open() { # PORT
    timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

http_ok() { # PORT PATH -> true if GET answers 200
    timeout 3 bash -c '
        exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
        printf "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n" "$2" >&3
        IFS= read -r status <&3
        [[ $status == "HTTP/1."[01]" 200"* ]]' _ "$1" "$2" 2>/dev/null
}

# A broker that has finished booting answers an AMQP 0-9-1 protocol header with a
# Connection.Start method frame, whose first byte (the frame type) is 1.
amqp_ready() { # PORT
    timeout 3 bash -c '
        exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
        printf "AMQP\x00\x00\x09\x01" >&3
        [[ $(head -c1 <&3 | od -An -tu1 | tr -d " ") == 1 ]]' _ "$1" 2>/dev/null
}

# wait_ready NAME TIMEOUT_SEC PIDFILE PATTERN PROBE... : polls PROBE until it succeeds; fails
# early if the process died. Callers print the logs on failure.
wait_ready() {
    local name=$1 timeout=$2 pidfile=$3 pattern=$4
    shift 4
    local deadline=$((SECONDS + timeout))
    until "$@"; do
        if ! pid_alive "$(read_pid "$pidfile")" "$pattern"; then
            printf 'error: %s exited while starting\n' "$name" >&2
            return 1
        fi
        if ((SECONDS >= deadline)); then
            printf 'error: %s not ready after %s s\n' "$name" "$timeout" >&2
            return 1
        fi
        sleep 0.1
    done
}

show_logs_and_die() { # MESSAGE LOGFILE...
    local message=$1 log
    shift
    for log in "$@"; do
        if [[ -f $log ]]; then
            printf -- '--- last lines of %s ---\n' "$log" >&2
            tail -n 40 "$log" >&2
        fi
    done
    die "$message"
}

# stop_pid NAME PIDFILE PATTERN SIGNAL TIMEOUT_SEC: signals a process we started and waits for it.
stop_pid() {
    local name=$1 pidfile=$2 pattern=$3 signal=$4 timeout=$5 pid deadline
    pid=$(read_pid "$pidfile")
    if pid_alive "$pid" "$pattern"; then
        kill "-$signal" "$pid" 2>/dev/null || true
        deadline=$((SECONDS + timeout))
        while pid_alive "$pid" "$pattern"; do
            if ((SECONDS >= deadline)); then
                warn "$name (pid $pid) still running after ${timeout} s; sending SIGKILL"
                kill -KILL "$pid" 2>/dev/null || true
                sleep 0.5
                break
            fi
            sleep 0.1
        done
        say "$name stopped (pid $pid)"
    fi
    rm -f "$pidfile"
}

# ---------------------------------------------------------------------------------------------
# setup: toolchain and Debian packages
# ---------------------------------------------------------------------------------------------

require_dotnet() {
    command -v dotnet >/dev/null || die "dotnet not found; install the .NET 10 SDK (https://dot.net) and put it on PATH"
    local version
    version=$(dotnet --version 2>/dev/null) || die "'dotnet --version' failed; is a .NET SDK installed (not only a runtime)?"
    [[ $version == 10.* ]] || die "need the .NET 10 SDK, found $version (see global.json / https://dot.net)"
}

# apt-get with root rights: directly as root, through sudo otherwise.
as_root() {
    if ((EUID == 0)); then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo "$@"
    else
        die "need root (or sudo) to run: $*"
    fi
}

ensure_packages() {
    local missing=()
    command -v redis-server >/dev/null || missing+=(redis-server)
    [[ -x $RABBITMQ_BIN/rabbitmq-server ]] || missing+=(rabbitmq-server)
    command -v docker-compose >/dev/null || missing+=(docker-compose)
    [[ -x $PG_BIN/postgres ]] || missing+=(postgresql)
    ((${#missing[@]} == 0)) && return 0

    say "installing ${missing[*]}"
    # DPkg::Lock::Timeout does not cover the lock of `apt-get update` (another apt run at boot on
    # a fresh machine holds it), so that step is retried.
    local attempt
    for attempt in 1 2 3 4 5; do
        as_root apt-get update && break
        ((attempt == 5)) && die "apt-get update failed 5 times"
        warn "apt-get update failed (attempt $attempt); retrying in $((attempt * 5)) s"
        sleep $((attempt * 5))
    done
    # --no-install-recommends: docker-compose recommends docker.io, a whole container engine we
    # cannot run here; validating a compose file needs only the client. Package installs never
    # start a daemon on these machines (policy-rc.d), so nothing listens on default ports after.
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}"
}

cmd_setup() {
    require_dotnet
    ensure_packages
    say "setup ok (dotnet $(dotnet --version))"
}

# ---------------------------------------------------------------------------------------------
# services: our own Redis, RabbitMQ and PostgreSQL on loopback
# ---------------------------------------------------------------------------------------------

# Sets the ports and paths of one instance. `run` serves ./build.sh run; `test` serves the test
# suite, so tests never touch the data of a running demo.
select_instance() {
    INSTANCE=$1
    case $INSTANCE in
    run) REDIS_PORT=6390 AMQP_PORT=5690 DIST_PORT=25690 EPMD_PORT=4390 PG_PORT=5440 ;;
    test) REDIS_PORT=6391 AMQP_PORT=5691 DIST_PORT=25691 EPMD_PORT=4391 PG_PORT=5441 ;;
    *) die "unknown instance '$INSTANCE' (use run or test)" ;;
    esac
    STATE_DIR=$ROOT/.run/$INSTANCE
    SECRETS_FILE=$STATE_DIR/secrets.env
    SERVICES_ENV=$STATE_DIR/services.env
    REDIS_DIR=$STATE_DIR/redis
    RABBIT_DIR=$STATE_DIR/rabbitmq
    PG_DIR=$STATE_DIR/postgres
    RABBIT_NODENAME=rtmc_$INSTANCE@localhost
}

# Instance directories must stay traversable (not readable) by the postgres user, who owns the
# data directory below; each secret file is 0600 on its own.
make_state_dir() {
    mkdir -p "$STATE_DIR"
    chmod 755 "$ROOT/.run" "$STATE_DIR"
}

# Passwords are generated once per instance and reused, because RabbitMQ and PostgreSQL keep the
# first ones in their data directories.
ensure_secrets() {
    make_state_dir
    if [[ ! -f $SECRETS_FILE ]]; then
        if [[ -d $PG_DIR/data || -d $RABBIT_DIR/mnesia ]]; then
            die "$SECRETS_FILE is missing but data from an earlier start exists; run './build.sh services reset --instance $INSTANCE' to start over"
        fi
        (
            umask 077
            cat >"$SECRETS_FILE" <<EOF
# Generated by build.sh for instance '$INSTANCE'; never commit. Delete with: ./build.sh services reset --instance $INSTANCE
RTMC_RABBITMQ_PASSWORD=$(random_hex 24)
RTMC_POSTGRES_PASSWORD=$(random_hex 24)
RTMC_JWT_SECRET=$(random_hex 32)
EOF
        )
    fi
    # shellcheck source=/dev/null
    source "$SECRETS_FILE"
}

# The environment the apps and the tests read (RTMC_<config key>, case-insensitive).
write_services_env() {
    local -a vars=(
        RTMC_REDIS_HOST=127.0.0.1
        "RTMC_REDIS_PORT=$REDIS_PORT"
        RTMC_REDIS_PASSWORD= # Redis listens on loopback only and has no password
        RTMC_RABBITMQ_HOST=127.0.0.1
        "RTMC_RABBITMQ_PORT=$AMQP_PORT"
        RTMC_RABBITMQ_USER=rtmc
        "RTMC_RABBITMQ_PASSWORD=$RTMC_RABBITMQ_PASSWORD"
        RTMC_POSTGRES_HOST=127.0.0.1
        "RTMC_POSTGRES_PORT=$PG_PORT"
        RTMC_POSTGRES_USER=rtmc
        "RTMC_POSTGRES_PASSWORD=$RTMC_POSTGRES_PASSWORD"
        RTMC_POSTGRES_DATABASE=rtmc
        "RTMC_JWT_SECRET=$RTMC_JWT_SECRET"
        RTMC_SERVICES=1
        "RTMC_RABBITMQCTL=$RABBITMQ_BIN/rabbitmqctl"
        "RTMC_RABBITMQ_NODENAME=$RABBIT_NODENAME"
        "RTMC_RABBITMQ_HOME=$RABBIT_DIR/home"
        "RTMC_ERL_EPMD_PORT=$EPMD_PORT"
    )
    local var
    (
        umask 077
        {
            echo "# Generated by build.sh for instance '$INSTANCE'. Use: eval \"\$(./build.sh services env --instance $INSTANCE)\""
            echo "# rabbitmqctl against this node: ERL_EPMD_PORT=\$RTMC_ERL_EPMD_PORT HOME=\$RTMC_RABBITMQ_HOME \$RTMC_RABBITMQCTL -n \$RTMC_RABBITMQ_NODENAME list_queues"
            echo "# (without ERL_EPMD_PORT the CLI cannot find the node, and starts a stray epmd on 0.0.0.0:4369)"
            for var in "${vars[@]}"; do
                printf 'export %s=%q\n' "${var%%=*}" "${var#*=}"
            done
        } >"$SERVICES_ENV"
    )
}

# --- Redis ---

redis_ping() { [[ $(timeout 2 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]; }

start_redis() {
    local pidfile=$REDIS_DIR/redis.pid log=$REDIS_DIR/redis.log
    if ! pid_alive "$(read_pid "$pidfile")" redis-server; then
        port_open "$REDIS_PORT" && die "port $REDIS_PORT is taken by a process this script did not start"
        mkdir -p "$REDIS_DIR/data"
        local -a persistence
        if [[ $INSTANCE == run ]]; then
            # Append-only file fsynced every second: what the consumer acknowledged survives a
            # Redis restart (SIGTERM flushes it; a crash loses at most a second).
            persistence=(--appendonly yes --appendfsync everysec --save '')
        else
            persistence=(--appendonly no --save '')
        fi
        # setsid: the server leaves our session, so a Ctrl-C at the terminal does not reach it.
        setsid redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$REDIS_DIR/data" \
            --daemonize no --logfile '' "${persistence[@]}" </dev/null >>"$log" 2>&1 9>&- &
        echo $! >"$pidfile"
    fi
    wait_ready Redis 30 "$pidfile" redis-server redis_ping ||
        show_logs_and_die "Redis did not start" "$log"
}

stop_redis() { stop_pid Redis "$REDIS_DIR/redis.pid" redis-server TERM 30; }

# --- RabbitMQ ---

# The environment under which the broker runs; rabbitmqctl needs the same HOME (Erlang cookie),
# node name and epmd port to reach it.
rabbit_env() {
    export HOME=$RABBIT_DIR/home
    export ERL_EPMD_PORT=$EPMD_PORT ERL_EPMD_ADDRESS=127.0.0.1
    export RABBITMQ_NODENAME=$RABBIT_NODENAME
    export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=$AMQP_PORT RABBITMQ_DIST_PORT=$DIST_PORT
    export RABBITMQ_MNESIA_BASE=$RABBIT_DIR/mnesia RABBITMQ_LOG_BASE=$RABBIT_DIR/log
    export RABBITMQ_CONFIG_FILE=$RABBIT_DIR/rabbitmq.conf
    export RABBITMQ_ENABLED_PLUGINS_FILE=$RABBIT_DIR/enabled_plugins
    export RABBITMQ_PID_FILE=$RABBIT_DIR/beam.pid
    # An empty env file, so /etc/rabbitmq/rabbitmq-env.conf (the system broker's) is ignored.
    export RABBITMQ_CONF_ENV_FILE=$RABBIT_DIR/rabbitmq-env.conf
    # Keeps the Erlang distribution port on loopback as well.
    export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

write_rabbit_config() {
    mkdir -p "$RABBIT_DIR/home" "$RABBIT_DIR/mnesia" "$RABBIT_DIR/log"
    : >"$RABBIT_DIR/rabbitmq-env.conf"
    # No plugins: the management plugin alone makes a stop take 6 to 8 s instead of 1.
    echo '[].' >"$RABBIT_DIR/enabled_plugins"
    # default_user/default_pass create our user when the node boots on an empty database, which
    # is faster than rabbitmqctl add_user after boot. Later boots keep the stored user.
    (
        umask 077
        cat >"$RABBIT_DIR/rabbitmq.conf" <<EOF
listeners.tcp.default = 127.0.0.1:$AMQP_PORT
default_vhost = /
default_user = rtmc
default_pass = $RTMC_RABBITMQ_PASSWORD
default_user_tags.administrator = true
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
EOF
    )
}

# Our own epmd, bound to loopback: one that Erlang spawns itself daemonizes, listens on 0.0.0.0
# and outlives the broker.
start_epmd() {
    local pidfile=$RABBIT_DIR/epmd.pid
    pid_alive "$(read_pid "$pidfile")" epmd && return 0
    port_open "$EPMD_PORT" && die "port $EPMD_PORT (epmd) is taken by a process this script did not start"
    setsid epmd -port "$EPMD_PORT" -address 127.0.0.1 </dev/null >>"$RABBIT_DIR/log/epmd.log" 2>&1 9>&- &
    echo $! >"$pidfile"
    wait_ready epmd 10 "$pidfile" epmd port_open "$EPMD_PORT" ||
        show_logs_and_die "epmd did not start" "$RABBIT_DIR/log/epmd.log"
}

# Launches the broker without waiting: it takes 4 to 9 s to boot, so Redis and PostgreSQL start
# meanwhile and wait_rabbitmq is called last.
launch_rabbitmq() {
    local pidfile=$RABBIT_DIR/rabbitmq-server.pid
    write_rabbit_config
    start_epmd
    pid_alive "$(read_pid "$pidfile")" rabbitmq-server && return 0
    port_open "$AMQP_PORT" && die "port $AMQP_PORT is taken by a process this script did not start"
    rm -f "$RABBIT_DIR/beam.pid"
    (
        rabbit_env
        # The rabbitmq-server script stays as the parent of the Erlang VM and turns SIGTERM into a
        # clean broker stop, so its PID is the one we keep.
        setsid "$RABBITMQ_BIN/rabbitmq-server" </dev/null >>"$RABBIT_DIR/log/stdout.log" 2>&1 9>&- &
        echo $! >"$pidfile"
    )
}

wait_rabbitmq() {
    wait_ready RabbitMQ 60 "$RABBIT_DIR/rabbitmq-server.pid" rabbitmq-server amqp_ready "$AMQP_PORT" ||
        show_logs_and_die "RabbitMQ did not start" "$RABBIT_DIR/log/stdout.log" "$RABBIT_DIR/log/$RABBIT_NODENAME.log"
}

stop_rabbitmq() {
    local pidfile=$RABBIT_DIR/rabbitmq-server.pid script vm
    script=$(read_pid "$pidfile")
    if pid_alive "$script" rabbitmq-server; then
        # A SIGTERM that reaches the Erlang VM in its first second of boot is lost, and the script
        # then waits for the VM forever (seen here). So a booting broker is let finish first.
        if ! amqp_ready "$AMQP_PORT"; then
            say "RabbitMQ is still booting; letting it finish before stopping it"
            wait_ready RabbitMQ 60 "$pidfile" rabbitmq-server amqp_ready "$AMQP_PORT" || true
        fi
        # The VM is the script's only child (a fork that execs erl, then beam.smp). Its PID file
        # appears only late in the boot, so note the PID in case the script has to be killed.
        vm=$(pgrep -P "$script" | head -n1) || true
        [[ -n $vm && ! -s $RABBIT_DIR/beam.pid ]] && echo "$vm" >"$RABBIT_DIR/beam.pid"
    fi
    stop_pid RabbitMQ "$pidfile" rabbitmq-server TERM 30
    # Normally gone with the script; this covers a script that was killed or got stuck.
    stop_pid "RabbitMQ VM" "$RABBIT_DIR/beam.pid" beam.smp TERM 30
    stop_pid epmd "$RABBIT_DIR/epmd.pid" epmd TERM 10
}

# --- PostgreSQL ---

# initdb and postgres refuse to run as root; setpriv execs, so `$!` is the server itself.
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }

pg_ready() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 1; }

pg_psql() { # SQL against database postgres, as our superuser
    PGPASSWORD=$RTMC_POSTGRES_PASSWORD PGCONNECT_TIMEOUT=5 \
        "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U rtmc -d postgres -v ON_ERROR_STOP=1 -qtAc "$1"
}

init_postgres() {
    id postgres >/dev/null 2>&1 || die "no 'postgres' user; install the postgresql package (./build.sh setup)"
    mkdir -p "$PG_DIR"
    chown postgres:postgres "$PG_DIR"
    chmod 700 "$PG_DIR"
    as_postgres test -w "$PG_DIR" ||
        die "the postgres user cannot reach $PG_DIR; every directory above the repository must be world-traversable (chmod o+x)"
    local pwfile=$PG_DIR/pwfile
    (umask 077 && printf '%s\n' "$RTMC_POSTGRES_PASSWORD" >"$pwfile")
    chown postgres:postgres "$pwfile"
    say "initializing PostgreSQL data directory (once per instance)"
    # scram-sha-256 for every connection, including local ones; the superuser is rtmc.
    if ! as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" --auth=scram-sha-256 --username=rtmc \
        --pwfile="$pwfile" --encoding=UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1; then
        rm -f "$pwfile"
        show_logs_and_die "initdb failed" "$PG_DIR/initdb.log"
    fi
    rm -f "$pwfile"
}

start_postgres() {
    local pidfile=$PG_DIR/postgres.pid log=$PG_DIR/postgres.log
    [[ -s $PG_DIR/data/PG_VERSION ]] || init_postgres
    if ! pid_alive "$(read_pid "$pidfile")" postgres; then
        port_open "$PG_PORT" && die "port $PG_PORT is taken by a process this script did not start"
        local -a settings=(-c listen_addresses=127.0.0.1 -c unix_socket_directories= -c max_connections=200)
        if [[ $INSTANCE == test ]]; then
            # Throwaway data: trade crash safety for speed.
            settings+=(-c fsync=off -c synchronous_commit=off -c full_page_writes=off)
        fi
        # The log is opened here, as root, and inherited: postgres need not write into .run/.
        setsid setpriv --reuid=postgres --regid=postgres --init-groups \
            "$PG_BIN/postgres" -D "$PG_DIR/data" -p "$PG_PORT" "${settings[@]}" </dev/null >>"$log" 2>&1 9>&- &
        echo $! >"$pidfile"
    fi
    wait_ready PostgreSQL 30 "$pidfile" postgres pg_ready ||
        show_logs_and_die "PostgreSQL did not start" "$log"
    if [[ $(pg_psql "SELECT 1 FROM pg_database WHERE datname = 'rtmc'") != 1 ]]; then
        pg_psql "CREATE DATABASE rtmc" || die "could not create database rtmc"
    fi
}

# SIGINT is PostgreSQL's fast shutdown: roll back open transactions, checkpoint, exit.
stop_postgres() { stop_pid PostgreSQL "$PG_DIR/postgres.pid" postgres INT 60; }

# --- the three together ---

# Holds an exclusive lock on the instance (fd 9) for the rest of the calling (sub)shell, so two
# build.sh processes never start or stop the same servers at once. Every server is launched with
# `9>&-`: a server that inherited the descriptor would hold the lock for as long as it runs.
lock_instance() {
    make_state_dir
    exec 9>"$STATE_DIR/.lock"
    flock -w 180 9 || die "timed out waiting for another build.sh using instance $INSTANCE"
}

services_running() {
    pid_alive "$(read_pid "$REDIS_DIR/redis.pid")" redis-server &&
        pid_alive "$(read_pid "$RABBIT_DIR/rabbitmq-server.pid")" rabbitmq-server &&
        pid_alive "$(read_pid "$PG_DIR/postgres.pid")" postgres
}

services_start() {
    local started=$EPOCHREALTIME
    ensure_secrets
    write_services_env
    if services_running && redis_ping && amqp_ready "$AMQP_PORT" && pg_ready; then
        say "services ($INSTANCE) already running"
        return 0
    fi
    say "starting services ($INSTANCE): redis :$REDIS_PORT, rabbitmq :$AMQP_PORT, postgres :$PG_PORT"
    launch_rabbitmq
    start_redis
    start_postgres
    wait_rabbitmq
    say "services ($INSTANCE) ready in $(elapsed "$started") s; env: $SERVICES_ENV"
}

services_stop() {
    stop_postgres
    stop_rabbitmq
    stop_redis
}

# service_status NAME PIDFILE PATTERN ADDRESS PROBE...: one line; false unless it answers.
service_status() {
    local name=$1 pid
    pid=$(read_pid "$2")
    if ! pid_alive "$pid" "$3"; then
        printf '%-9s stopped\n' "$name"
        return 1
    fi
    if "${@:5}"; then
        printf '%-9s running on %s (pid %s)\n' "$name" "$4" "$pid"
        return 0
    fi
    printf '%-9s NOT ANSWERING on %s (pid %s)\n' "$name" "$4" "$pid"
    return 1
}

services_status() {
    local rc=0
    echo "instance $INSTANCE (state in $STATE_DIR)"
    service_status redis "$REDIS_DIR/redis.pid" redis-server "127.0.0.1:$REDIS_PORT" redis_ping || rc=3
    service_status rabbitmq "$RABBIT_DIR/rabbitmq-server.pid" rabbitmq-server "127.0.0.1:$AMQP_PORT" amqp_ready "$AMQP_PORT" || rc=3
    service_status postgres "$PG_DIR/postgres.pid" postgres "127.0.0.1:$PG_PORT" pg_ready || rc=3
    return "$rc"
}

cmd_services() {
    local action=${1:-} instance=run
    (($#)) && shift
    while (($#)); do
        case $1 in
        --instance)
            instance=${2:?--instance needs a name}
            shift 2
            ;;
        --instance=*)
            instance=${1#--instance=}
            shift
            ;;
        *) die "unknown option '$1' for services" ;;
        esac
    done
    select_instance "$instance"
    case $action in
    start)
        ensure_packages
        lock_instance
        services_start
        rm -f "$STATE_DIR/started-by-test" # started by hand: a test run must leave them running
        ;;
    stop)
        lock_instance
        services_stop
        ;;
    status) services_status ;;
    env)
        ensure_secrets
        write_services_env
        grep '^export ' "$SERVICES_ENV"
        ;;
    reset)
        lock_instance
        services_stop
        say "deleting $STATE_DIR (data and secrets)"
        rm -rf "$STATE_DIR"
        ;;
    *) die "usage: ./build.sh services start|stop|status|env|reset [--instance run|test]" ;;
    esac
}

# ---------------------------------------------------------------------------------------------
# build and test
# ---------------------------------------------------------------------------------------------

cmd_build() {
    require_dotnet
    say "dotnet restore"
    dotnet restore "$SOLUTION"
    say "dotnet build -c Release"
    dotnet build "$SOLUTION" -c Release --no-restore
}

# docker-compose 1.29 validates a compose file without an engine. The file requires its secrets
# (${VAR:?...}) so a real `compose up` never starts with empty ones; for validation alone we give
# throwaway placeholders that exist only in this subshell and are never written anywhere.
validate_compose() {
    command -v docker-compose >/dev/null || die "docker-compose not found (./build.sh setup installs it)"
    (
        export RTMC_JWT_SECRET=validation-only-placeholder-validation-only-placeholder
        export RTMC_RABBITMQ_PASSWORD=validation-only RTMC_POSTGRES_PASSWORD=validation-only
        docker-compose -f "$COMPOSE_FILE" config -q
    ) || die "docker-compose config rejected $COMPOSE_FILE"
    say "docker-compose config: ok"
}

# Sums the <Counters .../> of every .trx under DIR into PASSED FAILED SKIPPED.
summarize_trx() {
    local dir=$1 file counters name value
    PASSED=0 FAILED=0 SKIPPED=0
    local -A sum
    while IFS= read -r -d '' file; do
        counters=$(grep -o '<Counters [^>]*>' "$file" | head -n1) || continue
        for name in total executed passed failed error timeout aborted notExecuted; do
            value=$(sed -n "s/.* $name=\"\([0-9]*\)\".*/\1/p" <<<"$counters")
            sum[$name]=$((${sum[$name]:-0} + ${value:-0}))
        done
    done < <(find "$dir" -name '*.trx' -print0 2>/dev/null)
    PASSED=${sum[passed]:-0}
    FAILED=$((${sum[failed]:-0} + ${sum[error]:-0} + ${sum[timeout]:-0} + ${sum[aborted]:-0}))
    # Skipped tests are in total but not in executed; notExecuted counts them too in some
    # runners, so take whichever is larger rather than adding both.
    local not_run=$((${sum[total]:-0} - ${sum[executed]:-0}))
    SKIPPED=$((not_run > ${sum[notExecuted]:-0} ? not_run : ${sum[notExecuted]:-0}))
}

# run_tests ENV_FILE FILTER: dotnet test with results as .trx; sets TEST_RC and the counters.
run_tests() {
    local env_file=$1 filter=$2
    local results
    results=$ROOT/TestResults/$(date -u +%Y%m%dT%H%M%SZ)
    local -a args=("$SOLUTION" -c Release --no-build --logger trx --results-directory "$results")
    [[ -n $filter ]] && args+=(--filter "$filter")
    say "dotnet test ${args[*]}"
    TEST_RC=0
    (
        # shellcheck source=/dev/null
        [[ -n $env_file ]] && source "$env_file"
        exec dotnet test "${args[@]}"
    ) || TEST_RC=$?
    summarize_trx "$results"
    say "results: $results"
}

finish_tests() { # prints the summary as the very last line and exits accordingly
    local rc=0
    if ((TEST_RC != 0)); then
        warn "dotnet test exited with $TEST_RC"
        rc=1
    fi
    ((FAILED == 0)) || rc=1
    if ((PASSED == 0)); then
        warn "no test passed"
        rc=1
    fi
    echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
    exit "$rc"
}

parse_filter() { # sets FILTER from `--filter EXPR`
    FILTER=
    while (($#)); do
        case $1 in
        --filter)
            FILTER=${2:?--filter needs an expression}
            shift 2
            ;;
        --filter=*)
            FILTER=${1#--filter=}
            shift
            ;;
        *) die "unknown option '$1' (expected --filter EXPR)" ;;
        esac
    done
}

# Several test runs may share the test instance (two terminals, or a lead and an engineer in one
# checkout). Each holds a lease file while it runs; the last one to finish stops the servers,
# and only if a test run started them.
take_test_lease() {
    # Armed first, so servers half-started by a failed start are stopped again too.
    trap release_test_lease EXIT
    # Without these, a SIGTERM would end bash without running the EXIT trap.
    trap 'exit 130' INT
    trap 'exit 143' TERM
    (
        lock_instance
        mkdir -p "$STATE_DIR/leases"
        touch "$STATE_DIR/leases/$$"
        if ! services_running; then
            touch "$STATE_DIR/started-by-test"
        fi
        services_start
    )
}

release_test_lease() {
    trap - EXIT INT TERM
    (
        lock_instance
        rm -f "$STATE_DIR/leases/$$"
        local lease
        for lease in "$STATE_DIR"/leases/*; do
            [[ -e $lease ]] || continue
            # A lease whose holder died (kill -9) must not keep the servers alive forever.
            if kill -0 "${lease##*/}" 2>/dev/null; then
                say "services (test) left running: another test run (pid ${lease##*/}) uses them"
                exit 0
            fi
            rm -f "$lease"
        done
        if [[ -f $STATE_DIR/started-by-test ]]; then
            services_stop
            rm -f "$STATE_DIR/started-by-test"
        else
            say "services (test) left running: they were running before the tests started"
        fi
    )
}

cmd_test() {
    parse_filter "$@"
    require_dotnet
    ensure_packages
    select_instance test
    take_test_lease
    cmd_build
    validate_compose
    run_tests "$SERVICES_ENV" "$FILTER"
    release_test_lease # before the summary, which must stay the last line
    finish_tests
}

cmd_unit() {
    parse_filter "$@"
    local filter="Category!=Integration"
    [[ -n $FILTER ]] && filter="($filter)&($FILTER)"
    cmd_build
    run_tests "" "$filter"
    finish_tests
}

# ---------------------------------------------------------------------------------------------
# run and stop: the three server apps in the background
# ---------------------------------------------------------------------------------------------

app_dll() { echo "src/RealTimeMessageChat.$1/bin/Release/net10.0/RealTimeMessageChat.$1.dll"; }

app_health_port() {
    case $1 in
    RestApi) echo 8080 ;;
    MainServer) echo 8081 ;;
    MainServerConsumer) echo 8082 ;;
    esac
}

start_app() {
    local app=$1 apps_dir=$STATE_DIR/apps logs_dir=$STATE_DIR/logs
    local pidfile=$apps_dir/$app.pid exitfile=$apps_dir/$app.exit out=$logs_dir/$app.out
    local dll port
    dll=$(app_dll "$app")
    port=$(app_health_port "$app")
    if pid_alive "$(read_pid "$pidfile")" "$dll"; then
        say "$app already running (pid $(read_pid "$pidfile"))"
    else
        [[ -f $dll ]] || die "$dll not found; did the build succeed?"
        port_open "$port" && die "port $port is taken by a process this script did not start"
        mkdir -p "$apps_dir" "$logs_dir"
        rm -f "$pidfile" "$exitfile"
        say "starting $app"
        (
            # shellcheck source=/dev/null
            source "$SERVICES_ENV"
            export RTMC_LOG_ROOT_PATH=$logs_dir
            # A small parent shell waits for the app so its exit code lands in $exitfile; the
            # app's own PID goes to $pidfile and is what `stop` signals.
            setsid nohup bash -c 'dotnet "$1" & echo $! >"$2"; wait $!; echo $? >"$3"' \
                rtmc-launcher "$dll" "$pidfile" "$exitfile" </dev/null >>"$out" 2>&1 9>&- &
        )
        local deadline=$((SECONDS + 10))
        until [[ -s $pidfile ]]; do
            ((SECONDS < deadline)) || die "$app did not start (no pid file)"
            sleep 0.05
        done
    fi
    wait_ready "$app" 60 "$pidfile" "$dll" http_ok "$port" /health/ready ||
        show_logs_and_die "$app is not ready (GET http://127.0.0.1:$port/health/ready); './build.sh stop' cleans up" "$out"
}

stop_app() {
    local app=$1 pidfile=$STATE_DIR/apps/$1.pid exitfile=$STATE_DIR/apps/$1.exit
    local pid dll
    pid=$(read_pid "$pidfile")
    dll=$(app_dll "$app")
    if ! pid_alive "$pid" "$dll"; then
        rm -f "$pidfile"
        return 0
    fi
    # SIGTERM: the generic host stops its hosted services gracefully (drains, closes connections).
    stop_pid "$app" "$pidfile" "$dll" TERM 15
    local deadline=$((SECONDS + 3))
    until [[ -s $exitfile ]] || ((SECONDS >= deadline)); do sleep 0.1; done
    if [[ -s $exitfile ]]; then
        say "$app exit code $(cat "$exitfile")"
    fi
}

print_run_info() {
    local logs=$STATE_DIR/logs user_client
    user_client=$(app_dll UserClient)
    cat <<EOF

RealTimeMessageChat is running.
  REST API        http://127.0.0.1:8080        (health: /health/ready, metrics: /metrics)
  MainServer      tcp 127.0.0.1:9876           (health: http://127.0.0.1:8081/health/ready)
  Consumer        health http://127.0.0.1:8082/health/ready
  Services        redis 127.0.0.1:$REDIS_PORT, rabbitmq 127.0.0.1:$AMQP_PORT, postgres 127.0.0.1:$PG_PORT
                  (credentials: $SERVICES_ENV)
  Logs            $logs  (<app>.out is each app's console)

Quick start:
  curl -s -X POST http://127.0.0.1:8080/api/v1/users -H 'Content-Type: application/json' \\
       -d '{"user_id":"alice","password":"correct-horse-1"}'
  TOKEN=\$(curl -s -X POST http://127.0.0.1:8080/api/v1/auth/login -H 'Content-Type: application/json' \\
       -d '{"user_id":"alice","password":"correct-horse-1"}' | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
  curl -s -X POST http://127.0.0.1:8080/publishMessage -H "Authorization: Bearer \$TOKEN" \\
       -H 'Content-Type: application/json' -d '{"content":"hello, world"}'

Chat client (in another terminal):
  dotnet $user_client --user alice --password correct-horse-1

Stop everything: ./build.sh stop
EOF
}

cmd_run() {
    require_dotnet
    ensure_packages
    select_instance run
    (
        lock_instance
        services_start
    )
    local running=1 app
    for app in "${APPS[@]}"; do
        pid_alive "$(read_pid "$STATE_DIR/apps/$app.pid")" "$(app_dll "$app")" || running=0
    done
    if ((running)); then
        say "already running; './build.sh stop' first to restart with a fresh build"
    else
        cmd_build
    fi
    for app in "${APPS[@]}"; do
        start_app "$app"
    done
    print_run_info
}

cmd_stop() {
    select_instance run
    local app i
    # Reverse order: the API stops taking messages before the consumer and the server go.
    for ((i = ${#APPS[@]} - 1; i >= 0; i--)); do
        app=${APPS[i]}
        stop_app "$app"
    done
    lock_instance
    services_stop
    say "stopped"
}

# ---------------------------------------------------------------------------------------------
# compose: the same system in containers, where a Docker engine exists
# ---------------------------------------------------------------------------------------------

cmd_compose() {
    if ! command -v docker >/dev/null || ! docker info >/dev/null 2>&1; then
        cat >&2 <<EOF
No Docker engine answers on this machine, so the containers cannot run here.
  - Run the same system without containers: ./build.sh run
  - The compose file is still validated by ./build.sh test (docker-compose config).
EOF
        exit 1
    fi
    local env_file=docker/.env
    if [[ ! -f $env_file ]]; then
        say "writing $env_file with fresh random secrets (gitignored; keep it)"
        (
            umask 077
            cat >"$env_file" <<EOF
RTMC_JWT_SECRET=$(random_hex 32)
RTMC_RABBITMQ_PASSWORD=$(random_hex 24)
RTMC_POSTGRES_PASSWORD=$(random_hex 24)
EOF
        )
    fi
    if docker compose version >/dev/null 2>&1; then
        exec docker compose --env-file "$env_file" -f "$COMPOSE_FILE" up --build
    fi
    exec docker-compose --env-file "$env_file" -f "$COMPOSE_FILE" up --build
}

cmd_help() {
    cat <<'EOF'
Usage: ./build.sh COMMAND [options]

  setup                     check the .NET 10 SDK; apt-get install redis-server, rabbitmq-server,
                            docker-compose (and postgresql) if missing
  build                     dotnet restore + dotnet build -c Release
  test [--filter EXPR]      setup, start the test services, build, validate the compose file,
                            run every test (integration tests against real servers); the last
                            line is "N passed, N failed, N skipped"
  unit [--filter EXPR]      build and run the tests without Category=Integration; no services
  run                       setup, start services and the three server apps in the background
  stop                      stop the apps and the services started by `run`
  services start|stop|status|env|reset [--instance run|test]
                            our own Redis, RabbitMQ and PostgreSQL on 127.0.0.1, state in
                            .run/<instance>/; `eval "$(./build.sh services env)"` exports
                            the RTMC_* variables (reset deletes data and secrets)
  compose                   docker compose up (needs a Docker engine)
  help                      this text

Ports        redis  amqp  epmd  rabbit-dist  postgres
  run        6390   5690  4390  25690        5440
  test       6391   5691  4391  25691        5441
Apps (run):  REST 8080, MainServer TCP 9876 + health 8081, MainServerConsumer health 8082
EOF
}

main() {
    local command=${1:-help}
    (($#)) && shift
    case $command in
    setup) cmd_setup "$@" ;;
    build) cmd_build "$@" ;;
    test) cmd_test "$@" ;;
    unit) cmd_unit "$@" ;;
    run) cmd_run "$@" ;;
    stop) cmd_stop "$@" ;;
    services) cmd_services "$@" ;;
    compose) cmd_compose "$@" ;;
    help | -h | --help) cmd_help ;;
    *)
        cmd_help >&2
        die "unknown command '$command'"
        ;;
    esac
}

main "$@"
