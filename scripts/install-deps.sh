#!/usr/bin/env bash
# Installs the Debian packages Pier needs. Idempotent: apt is only touched
# when something is missing, so a second run takes well under a second.
#
#   scripts/install-deps.sh run    # to build and run the broker
#   scripts/install-deps.sh test   # additionally the reference peers for tests
#
# WebSocket tests (test_20/21): node-mqtt + node-ws are MQTT.js 4 for node (they bring
# nodejs), chromium is the headless browser, libnss3-tools gives certutil to trust the
# test CA in a throwaway NSS database, fonts-dejavu-core makes the screenshot readable.
# The web console test (test_32) drives chromium through chromium-driver with selenium.
set -euo pipefail

mode="${1:-run}"

packages=(libssl-dev pkg-config liblz4-dev zlib1g-dev libyaml-dev)
case "$mode" in
    run) ;;
    test) packages+=(mosquitto mosquitto-clients libmosquitto-dev
                     libqpid-proton11-dev libqpid-proton11-dev-examples gcc rabbitmq-server systemd
                     libnet-stomp-perl
                     default-jdk-headless libactivemq-java libhawtbuf-java libslf4j-java activemq
                     node-mqtt node-ws chromium chromium-driver libnss3-tools fonts-dejavu-core) ;;
    *) echo "usage: $0 [run|test]" >&2; exit 2 ;;
esac

# scripts/venv.sh uses Debian's python when present; Debian ships its venv
# module (ensurepip) as a separate package.
if [ -x /usr/bin/python3 ]; then
    packages+=(python3-venv)
fi

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q '^install ok installed$'; then
        missing+=("$package")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
else
    echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
