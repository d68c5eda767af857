#!/usr/bin/env bash
# Makes sure a RabbitMQ broker answers on localhost:5672: uses a running one, otherwise installs
# Debian's rabbitmq-server (when missing) and starts it without systemd.
set -euo pipefail

node="${RABBITMQ_NODENAME:-rabbit@localhost}"
export RABBITMQ_NODENAME="$node"

port_open() { (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; }

if port_open; then
  echo "rabbitmq: already listening on 5672"
  exit 0
fi

sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi

if ! command -v rabbitmq-server >/dev/null 2>&1 && [ ! -x /usr/sbin/rabbitmq-server ]; then
  echo "rabbitmq: installing Debian's rabbitmq-server"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  # The package's own service start is refused in containers (policy-rc.d); we start it ourselves.
  $sudo_cmd apt-get install -y -qq rabbitmq-server >/dev/null
fi
export PATH="$PATH:/usr/sbin:/usr/lib/rabbitmq/bin"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -f "$here/rabbitmq.conf" ]; then
  export RABBITMQ_CONFIG_FILE="$here/rabbitmq.conf"
fi

echo "rabbitmq: starting $node"
$sudo_cmd env RABBITMQ_NODENAME="$node" RABBITMQ_CONFIG_FILE="${RABBITMQ_CONFIG_FILE:-}" rabbitmq-server -detached
# -detached returns before the node boots; the AMQP port opening is what the tests need.
for _ in $(seq 1 90); do
  if port_open; then echo "rabbitmq: ready"; exit 0; fi
  sleep 1
done
echo "rabbitmq: the broker started but nothing listens on 5672; see /var/log/rabbitmq" >&2
exit 1
