"""Which flows, steps and transitions a conversation-test suite exercised, and which it never reached."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dialogue.bot import Bot


@dataclass(frozen=True)
class Coverage:
    flows: tuple[set[str], set[str]]  # (covered, all)
    steps: tuple[set[tuple[str, str]], set[tuple[str, str]]]
    transitions: tuple[set[tuple[str, str, str]], set[tuple[str, str, str]]]

    def lines(self) -> list[str]:
        out = []
        for name, (covered, total) in (("flows", self.flows), ("steps", self.steps),
                                       ("transitions", self.transitions)):
            pct = 100.0 * len(covered & total) / max(1, len(total))
            out.append(f"coverage: {name} {len(covered & total)}/{len(total)} ({pct:.0f}%)")
        missed = sorted(self.steps[1] - self.steps[0])
        if missed:
            out.append("never reached: " + ", ".join(f"{f}.{s}" for f, s in missed))
        return out


def all_transitions(bot: Bot) -> set[tuple[str, str, str]]:
    out: set[tuple[str, str, str]] = set()
    for flow in bot.flows.values():
        for step in flow.steps:
            targets = set(step.targets())
            if step.kind in ("say", "ask", "action", "confirm") and not step.next:
                nxt = flow.after(step)
                if nxt and step.kind != "confirm":
                    targets.add(nxt)
            if step.kind == "confirm" and step.slot and step.no is None:
                targets.update(s.id for s in flow.steps if s.ask == step.slot)
            out.update((flow.flow, step.id, t) for t in targets)
    return out


def measure(bot: Bot, runs: Iterable[list[tuple[str, str]]]) -> Coverage:
    steps: set[tuple[str, str]] = set()
    transitions: set[tuple[str, str, str]] = set()
    for visited in runs:
        steps.update(visited)
        for (f1, s1), (f2, s2) in zip(visited, visited[1:], strict=False):
            if f1 == f2:
                transitions.add((f1, s1, s2))
    all_steps = {(f.flow, s.id) for f in bot.flows.values() for s in f.steps}
    return Coverage(
        flows=({f for f, _ in steps}, set(bot.flows)),
        steps=(steps, all_steps),
        transitions=(transitions, all_transitions(bot)),
    )
