# shellcheck shell=bash
# TLS on every hop (issue 9): a local CA and one server certificate per instance, and the mode an
# instance's servers run in. Sourced by build.sh after services.sh.
#
# The mode of `run` is chosen with RTMC_TLS=1 (./build.sh run --tls sets it) and remembered in
# .run/run/tls-mode, so a later `services start` (a restart after a crash) keeps it.
# With TLS, Redis listens only on TLS (--port 0), RabbitMQ only on its TLS listener, PostgreSQL only
# with hostssl lines; the apps verify each server's certificate against the local CA
# (ssl_ca_path) and the host name (the certificate is for localhost and 127.0.0.1).

# Sets TLS (0 or 1) and TLS_DIR. The `tls` instance always runs with TLS, `run` as RTMC_TLS says
# (else as it last ran), every other instance without: the suite's own servers must not change
# mode because of a variable left in someone's shell.
choose_tls_mode() {
    TLS_DIR=$STATE_DIR/tls
    local wanted=0
    case $INSTANCE in
    tls) wanted=1 ;;
    run) wanted=${RTMC_TLS:-$(tls_mode_recorded)} ;;
    esac
    case ${wanted:-0} in
    1 | on | true) TLS=1 ;;
    0 | off | false) TLS=0 ;;
    *) die "RTMC_TLS must be 1 or 0, not '$wanted'" ;;
    esac
}

tls_mode_recorded() { read_pid "$STATE_DIR/tls-mode"; }

record_tls_mode() { printf '%s\n' "$TLS" >"$STATE_DIR/tls-mode"; }

# ca.pem, ca.key, server.pem, server.key in TLS_DIR, made once per instance (825 days, P-256).
ensure_tls_files() {
    [[ -s $TLS_DIR/ca.pem && -s $TLS_DIR/server.pem && -s $TLS_DIR/server.key ]] && return 0
    command -v openssl >/dev/null || die "openssl not found; it makes the local CA for --tls (apt-get install openssl)"
    say "making a local CA and a certificate for localhost/127.0.0.1 in $TLS_DIR"
    mkdir -p "$TLS_DIR"
    chmod 700 "$TLS_DIR"
    local log=$TLS_DIR/openssl.log
    {
        openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -sha256 -days 825 \
            -keyout "$TLS_DIR/ca.key" -out "$TLS_DIR/ca.pem" -subj "/CN=RealTimeMessageChat local CA ($INSTANCE)" \
            -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign &&
            openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -sha256 \
                -keyout "$TLS_DIR/server.key" -out "$TLS_DIR/server.csr" -subj "/CN=localhost" &&
            openssl x509 -req -in "$TLS_DIR/server.csr" -CA "$TLS_DIR/ca.pem" -CAkey "$TLS_DIR/ca.key" \
                -CAcreateserial -sha256 -days 825 -out "$TLS_DIR/server.pem" -extfile <(
                printf '%s\n' 'subjectAltName=DNS:localhost,IP:127.0.0.1' 'basicConstraints=CA:FALSE' \
                    'keyUsage=critical,digitalSignature' 'extendedKeyUsage=serverAuth'
            )
    } >"$log" 2>&1 || show_logs_and_die "openssl could not make the certificates" "$log"
    rm -f "$TLS_DIR/server.csr"
    chmod 600 "$TLS_DIR/ca.key" "$TLS_DIR/server.key"
    chmod 644 "$TLS_DIR/ca.pem" "$TLS_DIR/server.pem"
}

# Redis' listener arguments for the mode.
redis_listen_args() {
    if ((TLS)); then
        printf '%s\n' --port 0 --tls-port "$REDIS_PORT" --tls-cert-file "$TLS_DIR/server.pem" \
            --tls-key-file "$TLS_DIR/server.key" --tls-ca-cert-file "$TLS_DIR/ca.pem" --tls-auth-clients no \
            --tls-protocols "TLSv1.2 TLSv1.3"
    else
        printf '%s\n' --port "$REDIS_PORT"
    fi
}

redis_cli_tls_args() {
    ((TLS)) && printf '%s\n' --tls --cacert "$TLS_DIR/ca.pem"
    return 0
}

# RabbitMQ's listener lines for rabbitmq.conf.
rabbit_listener_config() {
    if ((TLS)); then
        cat <<CONF
listeners.tcp = none
listeners.ssl.default = 127.0.0.1:$AMQP_PORT
ssl_options.cacertfile = $TLS_DIR/ca.pem
ssl_options.certfile = $TLS_DIR/server.pem
ssl_options.keyfile = $TLS_DIR/server.key
ssl_options.verify = verify_none
ssl_options.fail_if_no_peer_cert = false
ssl_options.versions.1 = tlsv1.3
ssl_options.versions.2 = tlsv1.2
CONF
    else
        echo "listeners.tcp.default = 127.0.0.1:$AMQP_PORT"
    fi
}

# The AMQP probe over TLS: the protocol header, answered by the first byte of Connection.Start.
amqp_tls_ready() { # PORT
    [[ $(printf 'AMQP\x00\x00\x09\x01' | timeout 3 openssl s_client -quiet -connect "127.0.0.1:$1" \
        -CAfile "$TLS_DIR/ca.pem" -verify_return_error 2>/dev/null | head -c1 | od -An -tu1 | tr -d ' ') == 1 ]]
}

rabbit_ready() { # PORT
    if ((TLS)); then amqp_tls_ready "$1"; else amqp_ready "$1"; fi
}

# PostgreSQL's TLS settings: its own copy of the certificate and key (the key must belong to the
# postgres user and be private to it), and an hba file that admits TLS connections only.
postgres_tls_settings() {
    ((TLS)) || return 0
    install -o postgres -g postgres -m 600 "$TLS_DIR/server.key" "$PG_ROOT/server.key"
    install -o postgres -g postgres -m 644 "$TLS_DIR/server.pem" "$PG_ROOT/server.pem"
    install -o postgres -g postgres -m 600 /dev/stdin "$PG_ROOT/pg_hba_tls.conf" <<HBA
# ./build.sh --tls: TLS connections only, scram-sha-256 as always.
hostssl all all 127.0.0.1/32 scram-sha-256
HBA
    printf '%s\n' -c ssl=on -c "ssl_cert_file=$PG_ROOT/server.pem" -c "ssl_key_file=$PG_ROOT/server.key" \
        -c ssl_min_protocol_version=TLSv1.2 -c "hba_file=$PG_ROOT/pg_hba_tls.conf"
}

# What the apps read, in the mode: the dependencies' TLS switches and the CA, and the listeners' own.
tls_app_settings() {
    if ((TLS)); then
        printf '%s\n' RTMC_REDIS_USE_SSL=true RTMC_RABBITMQ_USE_SSL=true RTMC_POSTGRES_USE_SSL=true \
            "RTMC_SSL_CA_PATH=$TLS_DIR/ca.pem" RTMC_USE_SSL=true \
            "RTMC_SSL_CERTIFICATE_PATH=$TLS_DIR/server.pem" "RTMC_SSL_KEY_PATH=$TLS_DIR/server.key"
    else
        printf '%s\n' RTMC_REDIS_USE_SSL=false RTMC_RABBITMQ_USE_SSL=false RTMC_POSTGRES_USE_SSL=false RTMC_USE_SSL=false
    fi
}

# GET over TLS, the certificate checked against the local CA: true if it answers 200.
https_ok() { # PORT PATH
    local status
    status=$(printf 'GET %s HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$2" |
        timeout 3 openssl s_client -quiet -connect "127.0.0.1:$1" -servername localhost \
            -CAfile "$TLS_DIR/ca.pem" -verify_return_error 2>/dev/null | head -n1)
    [[ $status == "HTTP/1."[01]" 200"* ]]
}

# The readiness probe of an app: the RestApi serves HTTPS in TLS mode, the others' health ports stay HTTP.
app_ready() { # APP PORT PATH
    if ((TLS)) && [[ $1 == RestApi ]]; then https_ok "$2" "$3"; else http_ok "$2" "$3"; fi
}
