#!/usr/bin/env bash
# One entry point for building, testing and running RealTimeMessageChat on a plain Debian machine.
# Our machines (CI's included) have no Docker engine and no systemd, so the scripts under eng/
# install Redis, RabbitMQ and PostgreSQL from Debian and run private copies of them on loopback,
# with state under .run/<instance>/. This file holds the commands and their options;
# `./build.sh help` lists them.
#
#   eng/common.sh    messages, process checks, loopback probes, .NET SDK check, package install
#   eng/services.sh  the instance table (service ports), Redis, RabbitMQ, PostgreSQL
#   eng/cluster.sh   the three-master Redis Cluster of the instances that have one (test, dev)
#   eng/apps.sh      the app supervisor of `run`/`stop`; app ports read from config/*.json
#   eng/tests.sh     build, dotnet test and its summary, the test lease, the mode-700 clone check
#   eng/compose.sh   docker compose, and the validation of the compose file
#   eng/bench.sh     ./build.sh bench: the load generator against the real system, and the references
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

# shellcheck source=eng/common.sh
source "$ROOT/eng/common.sh"
# shellcheck source=eng/services.sh
source "$ROOT/eng/services.sh"
# shellcheck source=eng/cluster.sh
source "$ROOT/eng/cluster.sh"
# shellcheck source=eng/tls.sh
source "$ROOT/eng/tls.sh"
# shellcheck source=eng/apps.sh
source "$ROOT/eng/apps.sh"
# shellcheck source=eng/tests.sh
source "$ROOT/eng/tests.sh"
# shellcheck source=eng/compose.sh
source "$ROOT/eng/compose.sh"
# shellcheck source=eng/bench.sh
source "$ROOT/eng/bench.sh"

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

cmd_setup() {
    require_dotnet
    ensure_packages
    say "setup ok (dotnet $(dotnet --version))"
}

cmd_build() {
    build_solution
}

cmd_test() {
    parse_filter "$@"
    require_dotnet
    ensure_packages
    select_instance test
    take_test_lease
    build_solution
    validate_compose
    # A filtered run is someone's quick loop: the clone check runs only in the full one.
    if [[ -z $FILTER ]]; then
        run_selfcheck
    fi
    run_tests "$SERVICES_ENV" "$FILTER"
    release_test_lease # before the summary, which must stay the last line
    finish_tests
}

cmd_unit() {
    parse_filter "$@"
    local filter="Category!=Integration"
    [[ -n $FILTER ]] && filter="($filter)&($FILTER)"
    build_solution
    run_tests "" "$filter"
    finish_tests
}

cmd_selfcheck() {
    ensure_packages
    run_selfcheck
    [[ $SELFCHECK == passed ]]
}

cmd_run() {
    case ${1:-} in
    "") export RTMC_TLS=${RTMC_TLS:-0} ;;
    --tls) export RTMC_TLS=1 ;;
    *) die "usage: ./build.sh run [--tls]" ;;
    esac
    require_dotnet
    ensure_packages
    select_instance run
    (
        lock_instance
        services_start
    )
    if apps_running; then
        say "already running; './build.sh stop' first to restart with a fresh build"
    else
        build_solution
    fi
    apps_start
    print_run_info
}

cmd_stop() {
    select_instance run
    apps_stop
    lock_instance
    services_stop
    say "stopped"
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
        services_reset
        ;;
    *) die "usage: ./build.sh services start|stop|status|env|reset [--instance $(instance_names)]" ;;
    esac
}

cmd_compose() {
    compose_up
}

cmd_help() {
    cat <<EOF
Usage: ./build.sh COMMAND [options]

  setup                     check the .NET 10 SDK; apt-get install redis-server, rabbitmq-server,
                            docker-compose, postgresql (and procps) if missing
  build                     dotnet restore + dotnet build -c Release
  test [--filter EXPR]      setup, start the test services, build, validate the compose file,
                            check a copy of the checkout in a mode-700 folder (not with --filter),
                            run every test (integration tests against real servers); the last
                            line is "N passed, N failed, N skipped" (the copy check counts as one)
  unit [--filter EXPR]      build and run the tests without Category=Integration; no services
  run [--tls]               setup, start services and the three server apps in the background;
                            --tls: a local CA (.run/run/tls/ca.pem) and TLS on every hop (HTTPS,
                            the MainServer's TCP, Redis, RabbitMQ, PostgreSQL); the mode is kept
                            until the next \`run\` without --tls restarts the services plaintext
  stop                      stop the apps and the services started by \`run\`
  admin create USER         make USER an admin of the system \`run\` started (created if new); the
                            password from RTMC_ADMIN_PASSWORD or typed at the terminal, no default;
                            exit 0 done, 1 database or not running, 2 usage/password/configuration
  services start|stop|status|env|reset [--instance $(instance_names)]
                            our own Redis, RabbitMQ and PostgreSQL on 127.0.0.1, state in
                            .run/<instance>/, PostgreSQL's data in /var/tmp/rtmc-postgres-*;
                            test and dev also get a three-master Redis Cluster (eng/cluster.sh);
                            \`eval "\$(./build.sh services env)"\` exports the RTMC_* variables
                            (reset deletes data and secrets)
  selfcheck                 only the mode-700 copy check that \`test\` runs
  chaos [--short]           the fault run (issue 9): its own servers (\`chaos\` instance), two
                            MainServers, a publish load and reconnecting clients; kill -9 and
                            SIGTERM of every app and server and a MainServer-Redis partition, one
                            at a time; then a checker prints lost/duplicated/reordered/unexpected
                            (all must be 0) and writes chaos-results/<time>-<form>.txt. The short
                            form (every fault once, ~1 min) also runs inside \`test\`
  compose                   docker compose up (needs a Docker engine)
  bench [--quick]           build, then measure the system on loopback (its own \`bench\` instance and
                            ports, stopped and deleted after) beside the C and Redis references of
                            ../shared/bench-reference and the broker alone; prints the table of
                            issue 6 and writes bench-results/<time>/ (JSON, Markdown, SVG charts).
                            --quick: fewer, shorter scenarios (under 4 minutes; full run under 25)
  help                      this text

Service ports of each instance:
$(print_instances)
Apps (run): $(app_ports_summary)
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
    admin) cmd_admin "$@" ;;
    services) cmd_services "$@" ;;
    selfcheck) cmd_selfcheck "$@" ;;
    compose) cmd_compose "$@" ;;
    bench) cmd_bench "$@" ;;
    chaos) cmd_chaos "$@" ;;
    help | -h | --help) cmd_help ;;
    *)
        cmd_help >&2
        die "unknown command '$command'"
        ;;
    esac
}

main "$@"
