# shellcheck shell=bash
# The small supervisor behind `run` and `stop`: the three server apps in the background, each
# with a pid file, an exit-code file and its console log under .run/run/. Sourced by build.sh.

# Started by `run`, in this order; the consumer and the server only need the services, and the
# API answers /health/ready only once the broker is reachable.
readonly APPS=(RestApi MainServerConsumer MainServer)

# Per-app settings for a caller that runs the apps differently from config/ (eng/bench.sh: other
# ports, so a bench never collides with `run`): APP_ENV[App]="RTMC_KEY=value ...", exported to that
# app only. An RTMC_SERVER_PORT or RTMC_HEALTH_PORT there is also the port config_port reports.
declare -gA APP_ENV=()

app_dll() { echo "src/RealTimeMessageChat.$1/bin/Release/net10.0/RealTimeMessageChat.$1.dll"; }

app_config() { # APP -> its file in config/
    case $1 in
    RestApi) echo rest_api_configurations.json ;;
    MainServer) echo main_server_configurations.json ;;
    MainServerConsumer) echo main_server_consumer_configurations.json ;;
    UserClient) echo user_client_configurations.json ;;
    *) die "no configuration file known for '$1'" ;;
    esac
}

# config_port APP KEY -> the port under KEY in the app's config/ file, the one place app ports are
# written. The files are flat JSON objects (CONTRACT.md), so a pattern is enough: no jq or python.
# The leading quote keeps "server_port" from matching inside "main_server_port".
config_port() {
    local file value setting
    for setting in ${APP_ENV[$1]:-}; do
        if [[ $setting == "RTMC_${2^^}="* ]]; then
            printf '%s\n' "${setting#*=}"
            return 0
        fi
    done
    file=$ROOT/config/$(app_config "$1")
    [[ -f $file ]] || die "$file not found"
    value=$(grep -oE "\"$2\"[[:space:]]*:[[:space:]]*[0-9]+" "$file" | grep -oE '[0-9]+$') ||
        die "$file has no numeric \"$2\""
    if [[ ! $value =~ ^[0-9]+$ ]] || ((value < 1 || value > 65535)); then
        die "$file: \"$2\" must be one port number between 1 and 65535, found '${value//$'\n'/, }'"
    fi
    printf '%s\n' "$value"
}

# The port whose GET /health/ready says an app is ready: the API's own, the others' health port.
app_health_port() {
    case $1 in
    RestApi) config_port RestApi server_port ;;
    *) config_port "$1" health_port ;;
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
            local setting
            for setting in ${APP_ENV[$app]:-}; do
                export "${setting?}"
            done
            # A small parent shell waits for the app so its exit code lands in $exitfile; the
            # app's own PID goes to $pidfile and is what `stop` signals.
            # shellcheck disable=SC2016 # the snippet expands its own positional parameters
            setsid nohup bash -c 'dotnet "$1" & echo $! >"$2"; wait $!; echo $? >"$3"' \
                rtmc-launcher "$dll" "$pidfile" "$exitfile" </dev/null >>"$out" 2>&1 9>&- &
        )
        local deadline=$((SECONDS + 10))
        until [[ -s $pidfile ]]; do
            ((SECONDS < deadline)) || die "$app did not start (no pid file)"
            sleep 0.05
        done
    fi
    wait_ready "$app" 60 "$pidfile" "$dll" app_ready "$app" "$port" /health/ready ||
        show_logs_and_die "$app is not ready (GET $( ((TLS)) && [[ $app == RestApi ]] && echo https || echo http)://127.0.0.1:$port/health/ready); './build.sh stop' cleans up" "$out"
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

apps_running() { # true if every app of `run` is up
    local app
    for app in "${APPS[@]}"; do
        pid_alive "$(read_pid "$STATE_DIR/apps/$app.pid")" "$(app_dll "$app")" || return 1
    done
}

apps_start() {
    local app
    for app in "${APPS[@]}"; do
        start_app "$app"
    done
}

apps_stop() {
    local i
    # Reverse order: the API stops taking messages before the consumer and the server go.
    for ((i = ${#APPS[@]} - 1; i >= 0; i--)); do
        stop_app "${APPS[i]}"
    done
}

# The UserClient's file names the MainServer and the API it talks to; if they disagree with the
# servers' own files, the quick start below would not work.
check_client_ports() {
    local tcp=$1 rest=$2 client_tcp client_url
    client_tcp=$(config_port UserClient server_port)
    client_url=$(grep -oE '"rest_api_url"[[:space:]]*:[[:space:]]*"[^"]*"' "$ROOT/config/$(app_config UserClient)" | sed 's/.*"\([^"]*\)"$/\1/') || true
    ((client_tcp == tcp)) ||
        warn "config/$(app_config UserClient) has server_port $client_tcp, but the MainServer listens on $tcp"
    [[ $client_url == *":$rest" || $client_url == *":$rest/"* ]] ||
        warn "config/$(app_config UserClient) has rest_api_url '$client_url', but the REST API listens on port $rest"
}

print_run_info() {
    local logs=$STATE_DIR/logs user_client rest tcp server_health consumer_health
    user_client=$(app_dll UserClient)
    rest=$(config_port RestApi server_port)
    tcp=$(config_port MainServer server_port)
    server_health=$(config_port MainServer health_port)
    consumer_health=$(config_port MainServerConsumer health_port)
    check_client_ports "$tcp" "$rest"
    local scheme=http curl_tls='' client_tls=''
    if ((TLS)); then
        # The certificate is for localhost and 127.0.0.1, signed by the instance's local CA.
        scheme=https
        curl_tls=" --cacert $TLS_DIR/ca.pem"
        client_tls=" --use_ssl true --ssl_ca_path $TLS_DIR/ca.pem --rest_api_url https://127.0.0.1:$rest"
    fi
    cat <<EOF

RealTimeMessageChat is running$( ((TLS)) && echo ", TLS on every hop (local CA: $TLS_DIR/ca.pem)").
  REST API        $scheme://127.0.0.1:$rest        (health: /health/ready, metrics: /metrics)
  MainServer      tcp 127.0.0.1:$tcp           (health: http://127.0.0.1:$server_health/health/ready)
  Consumer        health http://127.0.0.1:$consumer_health/health/ready
  Services        redis 127.0.0.1:$REDIS_PORT, rabbitmq 127.0.0.1:$AMQP_PORT, postgres 127.0.0.1:$PG_PORT
                  (credentials: $SERVICES_ENV)
  Logs            $logs  (<app>.out is each app's console)

Quick start:
  curl$curl_tls -s -X POST $scheme://127.0.0.1:$rest/api/v1/users -H 'Content-Type: application/json' \\
       -d '{"user_id":"alice","password":"correct-horse-1"}'
  TOKEN=\$(curl$curl_tls -s -X POST $scheme://127.0.0.1:$rest/api/v1/auth/login -H 'Content-Type: application/json' \\
       -d '{"user_id":"alice","password":"correct-horse-1"}' | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
  curl$curl_tls -s -X POST $scheme://127.0.0.1:$rest/publishMessage -H "Authorization: Bearer \$TOKEN" \\
       -H 'Content-Type: application/json' -d '{"content":"hello, world"}'

Chat client (in another terminal):
  dotnet $user_client --user alice --password correct-horse-1$client_tls

Stop everything: ./build.sh stop
EOF
}

app_ports_summary() { # one line for `help`, read from config/
    local rest tcp server_health consumer_health
    rest=$(config_port RestApi server_port 2>/dev/null) || rest='?'
    tcp=$(config_port MainServer server_port 2>/dev/null) || tcp='?'
    server_health=$(config_port MainServer health_port 2>/dev/null) || server_health='?'
    consumer_health=$(config_port MainServerConsumer health_port 2>/dev/null) || consumer_health='?'
    echo "REST $rest, MainServer TCP $tcp + health $server_health, MainServerConsumer health $consumer_health (from config/*.json)"
}

# `./build.sh admin create <user>`: the RestApi's admin verb against the system `run` started, with
# the same environment its apps get (the services' credentials from $SERVICES_ENV, config/ files).
# The password comes from RTMC_ADMIN_PASSWORD or the terminal (or stdin); there is no default.
# Exit codes: the verb's own (0 done, 1 the database failed, 2 usage, password or configuration),
# or 1 from `die` when the system is not running or the RestApi is not built.
cmd_admin() {
    [[ ${1:-} == create && -n ${2:-} && $# -eq 2 ]] || {
        echo "usage: ./build.sh admin create <user_id>   (password: RTMC_ADMIN_PASSWORD or the terminal)" >&2
        exit 2
    }
    select_instance run
    [[ -f $SERVICES_ENV ]] || die "no running system: start it with './build.sh run' first"
    local dll
    dll=$(app_dll RestApi)
    [[ -f $dll ]] || die "$dll not found: './build.sh run' (or build) first"
    (
        # shellcheck source=/dev/null
        source "$SERVICES_ENV"
        cd "$ROOT" && dotnet "$dll" admin create "$2"
    )
}
