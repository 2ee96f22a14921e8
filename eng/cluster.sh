# shellcheck shell=bash
# A three-master Redis Cluster on loopback beside an instance's single Redis (issue 8), for the
# end-to-end tests that run the system on a cluster. Only instances with a port in the `cluster`
# column of the instance table have one: nodes on that port and the next two, each with its
# cluster bus on port + 10000. No replicas, no persistence (a throwaway, like the test Redis), and
# a new cluster on every start: state under .run/<instance>/redis-cluster/. Password-protected
# (requirepass and masterauth); the password is in the instance's secrets file. Sourced by build.sh.

readonly CLUSTER_NODES=3

cluster_enabled() { [[ ${CLUSTER_PORT:--} != - ]]; }

cluster_node_port() { echo $((CLUSTER_PORT + $1)); } # INDEX

# Older secrets files have no cluster password: one is added, the others are kept.
ensure_cluster_secret() {
    cluster_enabled || return 0
    if [[ -z ${RTMC_REDIS_CLUSTER_PASSWORD:-} ]]; then
        RTMC_REDIS_CLUSTER_PASSWORD=$(random_hex 24)
        (umask 077 && echo "RTMC_REDIS_CLUSTER_PASSWORD=$RTMC_REDIS_CLUSTER_PASSWORD" >>"$SECRETS_FILE")
    fi
}

cluster_cli() { # PORT ARGS...
    local port=$1
    shift
    # `services status` and `stop` read no secrets otherwise.
    if [[ -z ${RTMC_REDIS_CLUSTER_PASSWORD:-} && -f $SECRETS_FILE ]]; then
        RTMC_REDIS_CLUSTER_PASSWORD=$(sed -n 's/^RTMC_REDIS_CLUSTER_PASSWORD=//p' "$SECRETS_FILE")
    fi
    REDISCLI_AUTH=$RTMC_REDIS_CLUSTER_PASSWORD timeout 10 redis-cli -h 127.0.0.1 -p "$port" "$@"
}

cluster_node_ping() { [[ $(cluster_cli "$1" ping 2>/dev/null) == PONG ]]; } # PORT

# Every node up and agreeing that all 16384 slots are served.
cluster_ready() {
    local i info
    for ((i = 0; i < CLUSTER_NODES; i++)); do
        info=$(cluster_cli "$(cluster_node_port "$i")" cluster info 2>/dev/null) || return 1
        [[ $info == *cluster_state:ok* && $info == *cluster_slots_assigned:16384* ]] || return 1
    done
}

cluster_running() {
    cluster_enabled || return 0
    local i
    for ((i = 0; i < CLUSTER_NODES; i++)); do
        pid_alive "$(read_pid "$REDIS_CLUSTER_DIR/node$i/redis.pid")" redis-server || return 1
    done
}

start_redis_cluster() {
    cluster_enabled || return 0
    ensure_cluster_secret
    if cluster_running && cluster_ready; then
        return 0
    fi
    # Some nodes down, or never joined: a throwaway cluster is made again from nothing.
    stop_redis_cluster
    rm -rf "$REDIS_CLUSTER_DIR"
    local i port dir
    for ((i = 0; i < CLUSTER_NODES; i++)); do
        port=$(cluster_node_port "$i")
        dir=$REDIS_CLUSTER_DIR/node$i
        port_open "$port" && die "port $port (Redis Cluster node) is taken by a process this script did not start"
        port_open $((port + 10000)) && die "port $((port + 10000)) (Redis Cluster bus) is taken by a process this script did not start"
        mkdir -p "$dir"
        (
            umask 077
            printf 'requirepass %s\nmasterauth %s\n' "$RTMC_REDIS_CLUSTER_PASSWORD" "$RTMC_REDIS_CLUSTER_PASSWORD" >"$dir/auth.conf"
        )
        # The password comes from a config file, not the command line, where `ps` would show it.
        setsid redis-server "$dir/auth.conf" --bind 127.0.0.1 --port "$port" --dir "$dir" \
            --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 5000 \
            --appendonly no --save '' --daemonize no --logfile '' </dev/null >>"$dir/redis.log" 2>&1 9>&- &
        echo $! >"$dir/redis.pid"
    done
    for ((i = 0; i < CLUSTER_NODES; i++)); do
        dir=$REDIS_CLUSTER_DIR/node$i
        wait_ready "Redis Cluster node $i" 30 "$dir/redis.pid" redis-server cluster_node_ping "$(cluster_node_port "$i")" ||
            show_logs_and_die "Redis Cluster node $i did not start" "$dir/redis.log"
    done
    local -a nodes=()
    for ((i = 0; i < CLUSTER_NODES; i++)); do nodes+=("127.0.0.1:$(cluster_node_port "$i")"); done
    REDISCLI_AUTH=$RTMC_REDIS_CLUSTER_PASSWORD timeout 60 redis-cli --cluster create "${nodes[@]}" \
        --cluster-replicas 0 --cluster-yes >"$REDIS_CLUSTER_DIR/create.log" 2>&1 ||
        show_logs_and_die "redis-cli --cluster create failed" "$REDIS_CLUSTER_DIR/create.log"
    wait_ready "Redis Cluster" 30 "$REDIS_CLUSTER_DIR/node0/redis.pid" redis-server cluster_ready ||
        show_logs_and_die "the Redis Cluster did not reach cluster_state:ok" "$REDIS_CLUSTER_DIR/create.log"
}

stop_redis_cluster() {
    local i
    for ((i = 0; i < CLUSTER_NODES; i++)); do
        stop_pid "Redis Cluster node $i" "$REDIS_CLUSTER_DIR/node$i/redis.pid" redis-server TERM 30
    done
}

# Lines of write_services_env: one node is enough, the client discovers the others.
cluster_env_vars() {
    cluster_enabled || return 0
    printf '%s\n' RTMC_TEST_REDIS_CLUSTER_HOST=127.0.0.1 "RTMC_TEST_REDIS_CLUSTER_PORT=$CLUSTER_PORT" \
        "RTMC_TEST_REDIS_CLUSTER_PASSWORD=$RTMC_REDIS_CLUSTER_PASSWORD"
}

cluster_status() {
    cluster_enabled || return 0
    local pid
    pid=$(read_pid "$REDIS_CLUSTER_DIR/node0/redis.pid")
    if ! cluster_running; then
        printf '%-9s stopped\n' cluster
        return 1
    fi
    if cluster_ready; then
        printf '%-9s running on 127.0.0.1:%s-%s (%s masters)\n' cluster "$CLUSTER_PORT" "$(cluster_node_port $((CLUSTER_NODES - 1)))" "$CLUSTER_NODES"
        return 0
    fi
    printf '%-9s NOT READY on 127.0.0.1:%s (pid %s)\n' cluster "$CLUSTER_PORT" "$pid"
    return 1
}
