#!/usr/bin/env bash
# Gradescope runs this once, when the autograder image is built (Ubuntu, as root, in /autograder/source).
set -euo pipefail
apt-get update -qq && apt-get install -y -qq python3 python3-pip python3-venv > /dev/null
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --quiet -r /autograder/source/requirements-grading.txt
/autograder/venv/bin/pip install --quiet --no-deps /autograder/source/backprop
