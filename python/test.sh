#!/usr/bin/env bash
# Builds the Python package from this repository and runs its tests, on a
# fresh machine as on a used one:
#
# 1. a virtual environment (python/.venv, or $DOPPEL_VENV) with maturin,
#    pyarrow, pytest, ray[data], pyspark and pandas<3 from PyPI;
# 2. the wheel built with `maturin build --release` into a temporary
#    directory and installed into it;
# 3. the command line built with `cargo build --release --locked`, for the
#    tests that compare the engines with `doppel scan` ($DOPPEL_BIN);
# 4. pytest on python/tests (Ray with 2 CPUs, Spark local[2]; Java must be
#    on the PATH). Extra arguments go to pytest.
#
# Any failure fails the script.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
venv="${DOPPEL_VENV:-$repo/python/.venv}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}"

if [ ! -x "$venv/bin/python" ]; then
    "${PYTHON:-python3}" -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check \
    maturin pyarrow pytest 'ray[data]>=2.60,<3' 'pyspark>=4,<5' 'pandas<3'

wheels="$(mktemp -d)"
trap 'rm -rf "$wheels"' EXIT
PYO3_PYTHON="$venv/bin/python" "$venv/bin/maturin" build --release --locked \
    --manifest-path "$repo/python/Cargo.toml" --out "$wheels" --quiet
"$venv/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps "$wheels"/doppel-*.whl

cargo build --release --locked --quiet --manifest-path "$repo/Cargo.toml"
export DOPPEL_BIN="$CARGO_TARGET_DIR/release/doppel"
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"

# Run from outside python/, so that the source package (without its native
# module) does not shadow the installed one.
cd "$repo"
"$venv/bin/pytest" -q -p no:cacheprovider "$repo/python/tests" "$@"
