#!/usr/bin/env bash
# Creates .venv with the pinned Python packages the interop tests use.
# Idempotent: does nothing when the venv already has exactly these pins.
set -euo pipefail

cd "$(dirname "$0")/.."

requirements=(paho-mqtt==2.2.0 pytest==9.0.3 PyYAML==6.0.3 python-qpid-proton==0.40.0 pika==1.4.4 stomp.py==9.0.0 websocket-client==1.9.2
              requests==2.34.2 openapi-spec-validator==0.8.5 openapi-core==0.23.1 prometheus-client==0.26.0 selenium==4.40.0)
venv=.venv
stamp="$venv/.pier-requirements"

# Debian's python rather than pyenv's, so the venv does not depend on a
# user's shell setup.
if [ -x /usr/bin/python3 ]; then
    python=/usr/bin/python3
else
    python="$(command -v python3)"
fi

if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "${requirements[*]}" ]; then
    exit 0
fi

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${requirements[@]}"
echo "${requirements[*]}" > "$stamp"
