#!/usr/bin/env bash
# Train the transformer backend on a GPU machine that cannot reach PyPI, in three steps.
#
#   1. here (PyPI, the project's .venv):   bash benchmarks/transformer_gpu.sh prepare
#        -> benchmarks/.wheelhouse/  transformers, sentencepiece, tokenizers, safetensors, numpy and their
#                                    dependencies as cp311 manylinux x86_64 wheels (~50 MB; no torch)
#        -> benchmarks/.gpu_bundle/  the training plan (rows, dev slice, MLM corpus, linear scores, the
#                                    held-out texts for reporting, xSID-ja/ASDC) and the TF-IDF baselines
#   2. the GPU machine (a fresh copy of the repository with both folders carried; needs python3.11 with a
#      CUDA build of torch importable; nothing else of the project is installed there):
#        OUT=/some/dir bash benchmarks/transformer_gpu.sh train
#        -> $OUT/transformer/      the bot's transformer (a model directory's transformer/ folder)
#        -> $OUT/metrics.json      dev and held-out figures (linear / transformer / cascade), xSID-ja and
#                                  ASDC test figures, the TF-IDF baselines computed in step 1
#        -> $OUT/pretrained/       the MLM-pre-trained encoder + tokenizer (usable as --base-model)
#      Stops itself after TRAIN_TIMEOUT seconds (default 450). VENV (default /tmp/ivr-gpu-venv) is where
#      the venv goes; FIT_ARGS="--preset tiny" makes a smoke run of this step on any machine.
#   3. here: bash benchmarks/transformer_gpu.sh install DIR [MODEL]
#        DIR holds what came back from $OUT; MODEL defaults to models/transformer. Trains the linear heads
#        (the same ones step 1 scored with) and puts DIR/transformer beside them.
set -euo pipefail
cd "$(dirname "$0")/.."
WHEELS=benchmarks/.wheelhouse
BUNDLE=benchmarks/.gpu_bundle

case "${1:-}" in
prepare)
    rm -rf "$WHEELS"
    mkdir -p "$WHEELS"
    pins=()
    for pkg in transformers sentencepiece tokenizers safetensors numpy; do
        pins+=("$pkg==$(.venv/bin/python -c "from importlib.metadata import version; print(version('$pkg'))")")
    done
    .venv/bin/pip download --quiet --dest "$WHEELS" --only-binary=:all: --python-version 3.11 \
        --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
        --platform manylinux2014_x86_64 --platform any "${pins[@]}"
    .venv/bin/python benchmarks/transformer_gpu.py plan --out "$BUNDLE"
    du -sh "$WHEELS" "$BUNDLE"
    ;;
train)
    : "${OUT:?set OUT to the folder that comes back}"
    [ -d "$WHEELS" ] && [ -f "$BUNDLE/plan.json.gz" ] || { echo "carry $WHEELS and $BUNDLE (run 'prepare' first)" >&2; exit 2; }
    mkdir -p "$OUT"
    PY=$(command -v python3.11 || command -v python3)
    # torch comes from the machine (a CUDA build); everything else from the wheelhouse, offline
    VENV=${VENV:-/tmp/ivr-gpu-venv}
    [ -x "$VENV/bin/python" ] || "$PY" -m venv --system-site-packages "$VENV"
    "$VENV/bin/python" -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())"
    "$VENV/bin/pip" install --quiet --no-index --find-links "$WHEELS" transformers sentencepiece tokenizers safetensors numpy
    nvidia-smi --query-gpu=name,memory.used,memory.total --format=csv || true
    # shellcheck disable=SC2086  # FIT_ARGS is a list of words
    timeout "${TRAIN_TIMEOUT:-450}" "$VENV/bin/python" benchmarks/transformer_gpu.py fit --bundle "$BUNDLE" --out "$OUT" \
        ${FIT_ARGS:-} 2> >(tee "$OUT/train.log" >&2)
    ;;
install)
    : "${2:?usage: transformer_gpu.sh install DIR [MODEL]}"
    .venv/bin/python benchmarks/transformer_gpu.py install --trained "$2" --model "${3:-models/transformer}"
    ;;
*)
    sed -n '2,25p' "$0"
    exit 2
    ;;
esac
