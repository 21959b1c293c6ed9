#!/usr/bin/env bash
# The Python package's tests: builds lpchat into a venv of its own under target/pyenv
# (created here, with everything it needs from PyPI), then runs the pytest suite and
# mypy's stubtest against the hand-written stub. Works on a fresh machine.
# PYTHON picks the interpreter (default python3, CPython >= 3.9).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
venv="$root/target/pyenv"
python=${PYTHON:-python3}

if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  "maturin>=1.9.4,<2" "pytest>=8" "pytest-asyncio>=1" pytest-timeout mypy

# maturin develop installs into the active venv.
export VIRTUAL_ENV="$venv"
export PATH="$venv/bin:$PATH"
(cd bindings/python && maturin develop --locked --quiet)

status=0
(cd bindings/python && python -m pytest -q -p no:cacheprovider tests) || status=$?
# Exit 5 is pytest's "no tests collected": a suite that ran nothing has not passed.
if [ "$status" -eq 5 ]; then
  echo "test-python.sh: pytest collected no tests" >&2
  exit 1
elif [ "$status" -ne 0 ]; then
  exit "$status"
fi

(cd bindings/python && python -m mypy.stubtest lpchat --allowlist stubtest-allowlist.txt)
echo "test-python.sh: pytest and stubtest passed"
