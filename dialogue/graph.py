"""`ivr graph`: draw one flow with Graphviz, so a designer can see its steps and branches at a glance.

Edges come from `dialogue.validate.successors`, the same moves the validator checks, so the picture
shows the fall-through a designer did not write as well as the `next`/`yes`/`no`/cases they did.
"""

from __future__ import annotations

import functools
import shutil
import subprocess

import graphviz

from dialogue.flow_model import Flow, Step
from dialogue.prompts import PromptBook
from dialogue.validate import successors

PREFERRED_FONT = "Noto Sans CJK JP"
WRAP = 14  # Japanese has no spaces to break at: wrap prompt text every N characters
SNIPPET = 28  # characters of prompt text shown in a node
SHAPES: dict[str, dict[str, str]] = {
    "say": {"shape": "box", "style": "rounded"},
    "ask": {"shape": "parallelogram"},
    "confirm": {"shape": "diamond"},
    "switch": {"shape": "diamond"},
    "action": {"shape": "box3d"},
    "menu": {"shape": "tab"},
    "handover": {"shape": "house", "color": "red", "fontcolor": "red"},
    "end": {"shape": "doublecircle"},
    "call": {"shape": "component"},
    "goto_flow": {"shape": "cds"},
    "set": {"shape": "note"},
}


@functools.cache
def cjk_font() -> str | None:
    """A font that has Japanese glyphs (Graphviz draws empty boxes without one), or None."""
    if shutil.which("fc-list") is None:
        return None
    try:
        out = subprocess.run(["fc-list", ":lang=ja", "family"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    # fontconfig lists "IPAGothic,IPAゴシック": the ASCII name is the one every renderer resolves
    families = sorted({n.strip() for line in out.splitlines() for n in line.split(",") if n.strip().isascii()})
    for wanted in (PREFERRED_FONT, "Sans CJK JP", "Gothic", "Sans"):  # a gothic face reads best small
        found = [f for f in families if wanted in f]
        if found:
            return found[0]
    return families[0] if families else None


def prompt_text(prompts: PromptBook | None, key: str | None) -> str:
    """The start of a prompt's first text (voice preferred: the phone is what a designer listens to)."""
    if prompts is None or not key or not prompts.has(key):
        return f"[{key}]" if key else ""
    variants = prompts.templates[key]
    texts = variants.get("voice") or variants.get("any") or next(iter(variants.values()))
    text = texts[0] if texts else ""
    return text if len(text) <= SNIPPET else text[: SNIPPET - 1] + "…"


def _wrap(text: str) -> str:
    return "\n".join(text[i : i + WRAP] for i in range(0, len(text), WRAP))


def _detail(step: Step, prompts: PromptBook | None) -> str:
    kind = step.kind
    if kind == "ask":
        return f"ask: {step.ask}\n" + _wrap(prompt_text(prompts, step.prompt or f"ask_{step.ask}"))
    if kind in ("say", "confirm", "menu"):
        return _wrap(prompt_text(prompts, step.say or step.confirm or step.menu))
    if kind == "action":
        return f"action: {step.action}"
    if kind == "switch":
        return f"switch: {step.switch}"
    if kind == "handover":
        assert step.handover is not None
        return f"handover: {step.handover.reason}\nqueue: {step.handover.queue}"
    if kind == "end":
        return f"end: {step.end}"
    if kind == "set":
        return "set: " + ", ".join(f"{k}={v}" for k, v in (step.set or {}).items())
    return f"{kind}: {step.call or step.goto_flow}"


def flow_graph(flow: Flow, prompts: PromptBook | None = None, fontname: str | None = None) -> graphviz.Digraph:
    """The flow as a Graphviz digraph: one node per step, edges labelled by yes/no/case."""
    font = fontname or cjk_font() or "sans-serif"
    g = graphviz.Digraph(name=flow.flow, comment=flow.description)
    g.attr(rankdir="TB", fontname=font, labelloc="t", label=f"{flow.flow}\n{flow.description}", fontsize="16")
    g.attr("node", fontname=font, fontsize="11", margin="0.12,0.06")
    g.attr("edge", fontname=font, fontsize="10")
    g.node("__start__", "", shape="circle", style="filled", fillcolor="black", width="0.2")
    g.edge("__start__", flow.steps[0].id)
    ids = {s.id for s in flow.steps}
    for step in flow.steps:
        g.node(step.id, f"{step.id}\n{_detail(step, prompts)}", **SHAPES[step.kind])
        for label, target in successors(flow, step):
            if target not in ids:
                # the validator reports it; draw it so the picture shows where the flow breaks
                g.node(target, f"? {target}", shape="box", style="dashed", color="red", fontcolor="red")
            style = "dashed" if label in ("else", "on_error", "on_fail", "no_preference", "dont_know") else "solid"
            g.edge(step.id, target, label=label, style=style)
        outside: list[tuple[str, str | None]] = [(f"{k}: {o.label}", o.intent) for k, o in step.options.items()]
        outside += [("call", step.call), ("goto_flow", step.goto_flow)]
        for label, other in outside:
            if other:
                node = f"flow:{other}"
                g.node(node, f"⇒ {other}", shape="note", style="dashed")
                g.edge(step.id, node, label=label, style="dashed")
    return g


def render(flow: Flow, prompts: PromptBook | None, fmt: str) -> bytes:
    """The drawing as `svg`, `png` or `dot` source."""
    g = flow_graph(flow, prompts)
    if fmt == "dot":
        return str(g.source).encode("utf-8")
    data: bytes = g.pipe(format=fmt)
    return data
