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
#        OUT=/some/dir [PRESETS="gpu gpu-wide"] bash benchmarks/transformer_gpu.sh train
#        -> $OUT/<preset>.tar      per preset, one folder <preset>/ holding:
#             transformer/         the bot's transformer (a model directory's transformer/ folder)
#             metrics.json         dev and held-out figures (linear / transformer / cascade), xSID-ja, ASDC
#                                  and NAIST emotion test figures, the TF-IDF baselines computed in step 1,
#                                  batched GPU throughput
#           rewritten after each stage (bot model, each public set), so a run stopped at TRAIN_TIMEOUT
#           still brings back what it finished; the pre-trained encoder stays on the machine (over the
#           device tool's 16 MiB a file)
#        -> $OUT/<preset>.log      the training log
#      Uses the machine's python3 when it has torch, transformers, sentencepiece, tokenizers and
#      safetensors; else a venv (VENV, default /tmp/ivr-gpu-venv) from the carried wheelhouse. Each preset
#      stops itself after TRAIN_TIMEOUT seconds (default 450); FIT_ARGS="--no-public" skips the public sets.
#      PRESETS=tiny makes a smoke run of this step on any machine.
#   3. here: tar -xf DIR/<preset>.tar -C DIR; bash benchmarks/transformer_gpu.sh install DIR/<preset> [MODEL]
#        MODEL defaults to models/transformer. Trains the linear heads (the same ones step 1 scored with)
#        and puts DIR/<preset>/transformer beside them.
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
    [ -f "$BUNDLE/plan.json.gz" ] || { echo "carry $BUNDLE (run 'prepare' first)" >&2; exit 2; }
    mkdir -p "$OUT"
    PY=$(command -v python3.11 || command -v python3)
    # torch comes from the machine (a CUDA build); the rest from the machine too when it has them, else
    # from the carried wheelhouse, offline
    if "$PY" -c "import torch, transformers, sentencepiece, tokenizers, safetensors, numpy" 2>/dev/null; then
        RUN=$PY
    else
        [ -d "$WHEELS" ] || { echo "carry $WHEELS (run 'prepare' first)" >&2; exit 2; }
        VENV=${VENV:-/tmp/ivr-gpu-venv}
        [ -x "$VENV/bin/python" ] || "$PY" -m venv --system-site-packages "$VENV"
        "$VENV/bin/pip" install --quiet --no-index --find-links "$WHEELS" transformers sentencepiece tokenizers safetensors numpy
        RUN=$VENV/bin/python
    fi
    "$RUN" -c "import torch, transformers; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), 'transformers', transformers.__version__)"
    nvidia-smi --query-gpu=name,memory.used,memory.total --format=csv || true
    # PRESETS="gpu gpu-wide" trains several shapes side by side (a small model leaves the GPU mostly idle);
    # each lands in $OUT/<preset>.tar (the device tool brings back files at most two folders down)
    for preset in ${PRESETS:-gpu}; do
        (
            mkdir -p "/tmp/ivr-fit/$preset"
            # `|| rc=$?`: under set -e a timed-out preset would end this subshell before anything after
            # it ran (on the GPU machine, 2026-12-04, no archive came back; the archive is now written by
            # the fit itself after each stage). --foreground: signal the fit only, not this loop's group.
            rc=0
            # shellcheck disable=SC2086  # FIT_ARGS is a list of words
            OMP_NUM_THREADS=4 timeout --foreground "${TRAIN_TIMEOUT:-450}" "$RUN" benchmarks/transformer_gpu.py fit \
                --bundle "$BUNDLE" --out "/tmp/ivr-fit/$preset" --preset "$preset" --archive "$OUT/$preset.tar" \
                ${FIT_ARGS:-} >"$OUT/$preset.metrics.out" 2>"$OUT/$preset.log" || rc=$?
            echo "$preset: exit $rc" >>"$OUT/$preset.log"
        ) &
    done
    wait
    tail -n 5 "$OUT"/*.log
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
