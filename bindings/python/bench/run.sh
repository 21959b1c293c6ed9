#!/usr/bin/env bash
# The Python benchmarks, in one run on one machine: builds lpchat in release mode into a venv
# of its own (target/pybench, with xmltodict and requests for the baselines) and runs
# bench_decode.py, bench_bot.py and bench_memory.py. Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/../../.."
venv="$PWD/target/pybench"
[ -x "$venv/bin/python" ] || "${PYTHON:-python3}" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "maturin>=1.9.4,<2" xmltodict requests
export VIRTUAL_ENV="$venv" PATH="$venv/bin:$PATH"
# A wheel installed into the venv (not an editable install: that would share the module
# file in bindings/python/python with the test venv's debug build).
rm -rf target/pybench-wheels
(cd bindings/python && maturin build --release --locked --quiet --out ../../target/pybench-wheels)
python -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps target/pybench-wheels/lpchat-*.whl
cd bindings/python/bench
python bench_decode.py
python bench_bot.py
python bench_memory.py
