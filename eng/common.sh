# shellcheck shell=bash
# Helpers every other eng/*.sh file uses: messages, process checks, loopback probes, the .NET SDK
# check, the Debian package install. Sourced by build.sh, which sets ROOT and `set -euo pipefail`.
#
# The `bash -c '...'` snippets below expand their own positional parameters, on purpose:
# shellcheck disable=SC2016

readonly RABBITMQ_BIN=/usr/lib/rabbitmq/bin

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

# write_secrets FILE COMMENT: fresh random passwords and JWT key in FILE, mode 600. Hex keeps them
# safe in env files, URLs and config without quoting.
write_secrets() {
    (
        umask 077
        {
            if [[ -n $2 ]]; then printf '# %s\n' "$2"; fi
            echo "RTMC_RABBITMQ_PASSWORD=$(random_hex 24)"
            echo "RTMC_POSTGRES_PASSWORD=$(random_hex 24)"
            echo "RTMC_JWT_SECRET=$(random_hex 32)"
        } >"$1"
    )
}

read_pid() { # FILE -> its first line, or nothing
    if [[ -f $1 ]]; then head -n1 "$1"; fi
}

# The state letter of PID (R, S, Z, ...) from /proc/PID/stat; fails when there is no such process.
# The command name before it is in parentheses and may hold spaces, so it is cut at the last ')'.
proc_state() { # PID
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    printf '%s\n' "${stat%% *}"
}

# True if PID exists, is not a zombie, and its command line contains PATTERN. The pattern guards
# against a recycled PID; the zombie check matters because a server whose launching shell has
# exited is reaped by PID 1 only every few seconds, and `kill -0` still succeeds meanwhile.
pid_alive() {
    local pid=$1 pattern=$2 state cmdline
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    state=$(proc_state "$pid") || return 1
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
        # Asked twice, a moment apart: a server rewriting its process title (redis-server does, at
        # start) can briefly show a command line without the pattern, and one such read once made
        # a node that was starting fine count as exited.
        if ! pid_alive "$(read_pid "$pidfile")" "$pattern" && { sleep 0.3; ! pid_alive "$(read_pid "$pidfile")" "$pattern"; }; then
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
    # `postgresql` depends on the distribution's current postgresql-NN server and its client.
    find_pg_bin >/dev/null || missing+=(postgresql)
    # pgrep finds the Erlang VM under the broker's start script (stop_rabbitmq).
    command -v pgrep >/dev/null || missing+=(procps)
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
