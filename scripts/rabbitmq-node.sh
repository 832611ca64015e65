#!/usr/bin/env bash
# Starts or stops an isolated RabbitMQ node with the AMQP 1.0 plugin, for interop tests.
#
#   scripts/rabbitmq-node.sh start DIR AMQP_PORT EPMD_PORT DIST_PORT   # ready when it returns 0
#   scripts/rabbitmq-node.sh start DIR AMQP_PORT EPMD_PORT DIST_PORT TLS_PORT CA_FILE CERT_FILE KEY_FILE
#   scripts/rabbitmq-node.sh stop DIR
#
# With TLS_PORT and the three PEM files, the node also listens for TLS (amqps; AMQP 1.0 and 0-9-1
# alike) on 127.0.0.1:TLS_PORT with that server certificate. It asks clients for no certificate,
# unless RABBITMQ_TLS_CLIENT_CERT=required: then it requires one signed by CA_FILE (mutual TLS).
# TLS_PORT may also be a comma-separated list of ADDR:PORT (e.g. 127.0.0.1:5671,127.0.0.2:5671).
#
# Everything (config, mnesia, logs, HOME with the Erlang cookie) lives under DIR, and every port
# is the caller's choice so parallel nodes do not collide. epmd is stopped by its PID.
set -euo pipefail

cmd="$1"
dir="$(cd "$2" && pwd)"
export PATH="/usr/lib/rabbitmq/bin:$PATH"
export HOME="$dir"
if [ "$cmd" = start ]; then
    echo "$3 $4 $5" > "$dir/ports"
    tls_port="${6:-}"
    if [ -n "$tls_port" ] && [ "$#" -ne 9 ]; then
        echo "$0: TLS needs TLS_PORT CA_FILE CERT_FILE KEY_FILE" >&2
        exit 2
    fi
fi
read -r port epmd_port dist_port < "$dir/ports"
export RABBITMQ_NODENAME="pier$port@localhost"
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT="$port"
export RABBITMQ_DIST_PORT="$dist_port"
export ERL_EPMD_PORT="$epmd_port"
export ERL_EPMD_ADDRESS=127.0.0.1
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
export RABBITMQ_CONFIG_FILE="$dir/rabbitmq"
export RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
export RABBITMQ_MNESIA_BASE="$dir/mnesia"
export RABBITMQ_LOG_BASE="$dir/log"
export RABBITMQ_PID_FILE="$dir/rabbitmq.pid"

case "$cmd" in
    start)
        mkdir -p "$dir/mnesia" "$dir/log"
        printf 'listeners.tcp.default = 127.0.0.1:%s\nloopback_users = none\n' "$port" > "$dir/rabbitmq.conf"
        if [ -n "$tls_port" ]; then
            {
                i=0
                for listener in ${tls_port//,/ }; do
                    case "$listener" in *:*) ;; *) listener="127.0.0.1:$listener" ;; esac
                    i=$((i + 1))
                    printf 'listeners.ssl.%s = %s\n' "$([ "$i" -eq 1 ] && echo default || echo "l$i")" "$listener"
                done
                printf 'ssl_options.cacertfile = %s\n' "$(realpath "$7")"
                printf 'ssl_options.certfile = %s\n' "$(realpath "$8")"
                printf 'ssl_options.keyfile = %s\n' "$(realpath "$9")"
                if [ "${RABBITMQ_TLS_CLIENT_CERT:-}" = required ]; then
                    # Mutual TLS: a client certificate signed by CA_FILE is required.
                    printf 'ssl_options.verify = verify_peer\n'
                    printf 'ssl_options.fail_if_no_peer_cert = true\n'
                else
                    printf 'ssl_options.verify = verify_none\n'
                    printf 'ssl_options.fail_if_no_peer_cert = false\n'
                fi
            } >> "$dir/rabbitmq.conf"
        fi
        rabbitmq-plugins --offline enable rabbitmq_amqp1_0 > "$dir/plugins.log" 2>&1
        rm -f "$RABBITMQ_PID_FILE"
        rabbitmq-server -detached > "$dir/server.log" 2>&1
        # await_startup gives up at once if the node has not registered with epmd yet; wait on
        # the pid file instead, which also waits for the broker application to be running.
        rabbitmqctl wait --timeout 60 "$RABBITMQ_PID_FILE" > "$dir/await.log" 2>&1
        ;;
    stop)
        rabbitmqctl shutdown > "$dir/shutdown.log" 2>&1 || true
        # The VM started its own epmd on our port; stop exactly that one.
        epmd_pid="$(pgrep -f "epmd.*-port $ERL_EPMD_PORT" || true)"
        if [ -z "$epmd_pid" ]; then
            epmd_pid="$(ss -ltnpH "sport = :$ERL_EPMD_PORT" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 || true)"
        fi
        [ -n "$epmd_pid" ] && kill "$epmd_pid" 2>/dev/null || true
        ;;
    *) echo "usage: $0 start DIR AMQP_PORT EPMD_PORT DIST_PORT [TLS_PORT CA_FILE CERT_FILE KEY_FILE] | stop DIR" >&2; exit 2 ;;
esac
