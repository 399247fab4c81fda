"""`ivr nlu parse|train|eval` (SPEC 7.1 and 7.4), for the sample bot or any bot directory (`--bot DIR`: its
model, its store and product names, its intent examples), so a company trains and checks its own bot
without naming each of its paths."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from dialogue.bot_project import BotProject, load_project
from dialogue.yaml_source import SourceError
from nlu.data_io import DEFAULT_INTENT_TEST, NLU_DATA, DataError, read_intent_examples
from nlu.model import DEFAULT_MODEL_DIR, ModelError
from nlu.pipeline import NLU
from nlu.timezone import TOKYO

MAX_LINE_BYTES = 1_000_000
# further held-out sets a trained bot model is scored on (reported in metadata.json, never trained on)
HELDOUT_EXTRA = {
    "situational": NLU_DATA / "test" / "situational.jsonl",
    "outside": NLU_DATA / "test" / "outside" / "intents.jsonl",
}


def _parse_line(nlu: NLU, raw: bytes, now: datetime | None) -> dict[str, Any]:
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return {"error": f"invalid UTF-8 at byte {exc.start}"}
    line = line.rstrip("\r\n")
    stripped = line.strip()
    if stripped.startswith("{"):
        try:
            obj = json.loads(stripped)
        except json.JSONDecodeError as exc:
            return {"error": f"invalid JSON at column {exc.colno}: {exc.msg}"}
        if not isinstance(obj, dict):
            return {"error": "expected a JSON object"}
        text = obj.get("text")
        alts = obj.get("alternatives") or []
        if not isinstance(alts, list) or not all(
            isinstance(a, dict) and isinstance(a.get("text"), str) for a in alts
        ):
            return {"error": "'alternatives' must be a list of {\"text\", \"confidence\"} objects"}
        if text is not None and not isinstance(text, str):
            return {"error": "'text' must be a string"}
        candidates: list[tuple[str, float]] = []
        if isinstance(text, str):
            candidates.append((text, 1.0 if not alts else max(float(a.get("confidence") or 0) for a in alts)))
        for a in alts:
            try:
                conf = float(a.get("confidence", 0.0))
            except (TypeError, ValueError):
                return {"error": "an alternative's 'confidence' must be a number"}
            candidates.append((a["text"], conf))
        if not candidates:
            return {"error": "the object needs 'text' or 'alternatives'"}
        return nlu.parse_nbest(candidates, now).to_json()
    return nlu.parse(line, now).to_json()


def cmd_parse(args: argparse.Namespace) -> int:
    now = None
    if args.now:
        try:
            now = datetime.fromisoformat(args.now)
        except ValueError:
            print(f"ivr nlu parse: --now {args.now!r} is not an ISO-8601 time", file=sys.stderr)
            return 2
        if now.tzinfo is None:
            now = now.replace(tzinfo=TOKYO)
    nlu = _load_nlu(args)
    out = sys.stdout
    for raw in sys.stdin.buffer:
        if len(raw) > MAX_LINE_BYTES:
            raw = raw[:MAX_LINE_BYTES]
        try:
            result = _parse_line(nlu, raw, now)
        except Exception as exc:  # one bad line must not end the stream
            result = {"error": f"could not analyse this line: {type(exc).__name__}"}
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from nlu.training import train

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    data, out_dir = train_inputs(args)
    bundle, out = train(data, out_dir, args.backend, base_model=getattr(args, "base_model", None),
                        preset=getattr(args, "preset", None), log=log)
    meta = bundle.metadata
    print(f"trained {meta['backend']} model on {meta['examples']} examples, {len(meta['intents'])} intents "
          f"in {meta['train_seconds']} s -> {out}")
    if not data and DEFAULT_INTENT_TEST.is_file():
        # the bot's own model ships with its evaluation on the held-out files (never trained on)
        from nlu.evaluate import evaluate

        nlu = NLU.load(out)
        report = evaluate(nlu, read_intent_examples([DEFAULT_INTENT_TEST]))
        (out / "eval_report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        meta["metrics"] = {"heldout_accuracy": report["accuracy"], "heldout_macro_f1": report["macro_f1"],
                           "per_style_accuracy": {k: v["accuracy"] for k, v in report["styles"].items()}}
        for name, path in HELDOUT_EXTRA.items():
            if path.is_file():
                extra = evaluate(nlu, read_intent_examples([path]))
                meta["metrics"][name] = {"accuracy": extra["accuracy"], "macro_f1": extra["macro_f1"], "n": extra["n"]}
        (out / "metadata.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"held-out accuracy {report['accuracy']:.4f} ({report['n']} utterances) -> {out / 'eval_report.json'}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from nlu.evaluate import evaluate, format_report

    project = _project(args)
    if project is not None and not _is_sample(project) and not args.data:
        # the bot's own examples are what its model learnt from: scoring on them would say nothing
        raise ValueError(f"--bot {project.root}: give --data PATH, held-out examples of this bot "
                         "(YAML intent files or JSON Lines {\"text\", \"intent\"}), never the ones it was trained on")
    nlu = _load_nlu(args)
    examples = read_intent_examples(args.data or [DEFAULT_INTENT_TEST])
    report = evaluate(nlu, examples)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        print(format_report(report))
    return 0


def train_inputs(args: argparse.Namespace) -> tuple[list[Path] | None, Path | None]:
    """What `ivr nlu train` reads and where it writes: `--data`/`--out` as given, else with `--bot DIR` that
    bot's intent folders and model directory, else (None) the sample bot's defaults."""
    data: list[Path] | None = args.data
    out: Path | None = args.out
    project = _project(args)
    if project is not None and not _is_sample(project):
        data = data or list(project.intents)
        out = out or project.model
    return data, out


def _project(args: argparse.Namespace) -> BotProject | None:
    bot: Path | None = getattr(args, "bot", None)
    return None if bot is None else load_project(bot)


def _is_sample(project: BotProject) -> bool:
    """The repository root is the sample bot, whose defaults (and held-out report) apply as without --bot."""
    return project.model.resolve() == DEFAULT_MODEL_DIR.resolve()


def _load_nlu(args: argparse.Namespace) -> NLU:
    project = _project(args)
    if project is None:
        return NLU.load(args.model)
    return NLU.load(args.model or project.model, project.lexicon)


def run(args: argparse.Namespace) -> int:
    try:
        if args.nlu_command == "parse":
            return cmd_parse(args)
        if args.nlu_command == "train":
            return cmd_train(args)
        return cmd_eval(args)
    except SourceError as exc:  # a bad bot.yaml: each problem as file:line:col
        for problem in exc.problems:
            print(f"ivr nlu {args.nlu_command}: {problem}", file=sys.stderr)
        return 2
    except (ModelError, DataError, ValueError) as exc:
        print(f"ivr nlu {args.nlu_command}: {exc}", file=sys.stderr)
        return 2
