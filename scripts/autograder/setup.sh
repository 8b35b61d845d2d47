#!/usr/bin/env bash
# Gradescope runs this once, when the autograder image is built (Ubuntu, as root, in /autograder/source).
# AUTOGRADER_ROOT stands for /autograder, so that the same script can be run in a Gradescope-shaped folder elsewhere.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
# Python to run the grader, and bubblewrap to confine each submission (the grader refuses to run without it)
need=()
command -v python3 >/dev/null && python3 -c "import venv, ensurepip" 2>/dev/null || need+=(python3 python3-pip python3-venv)
command -v bwrap >/dev/null || need+=(bubblewrap)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" > /dev/null
fi
python3 -m venv "$ROOT/venv"
"$ROOT/venv/bin/pip" install --quiet --no-input -r "$ROOT/source/requirements-grading.txt"
"$ROOT/venv/bin/pip" install --quiet --no-input --no-deps "$ROOT/source/backprop"
# the answer key is readable by root only: a submission runs as an unprivileged user, in a sandbox without it
chmod -R go-rwx "$("$ROOT/venv/bin/python" -c 'import backprop_instructor, os; print(os.path.dirname(backprop_instructor.__file__))')"
