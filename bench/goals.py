"""Each figure beside its goal (issue 16): `check` prints one line and remembers it; `python -m bench`
ends with the goals met and missed over every benchmark it ran."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Goal:
    name: str
    value: float
    target: float
    unit: str
    higher_is_better: bool

    @property
    def met(self) -> bool:
        return self.value >= self.target if self.higher_is_better else self.value <= self.target

    @staticmethod
    def _number(value: float) -> str:
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"

    def line(self) -> str:
        sign = "≥" if self.higher_is_better else "≤"
        verdict = "met" if self.met else "MISSED"
        return (
            f"goal  {self.name:<52} {self._number(self.value):>9} {self.unit:<8} "
            f"(goal {sign} {self._number(self.target)} {self.unit})  {verdict}"
        )


RESULTS: list[Goal] = []


def check(name: str, value: float, target: float, unit: str, higher_is_better: bool = True) -> Goal:
    """Print `name`'s figure beside its goal and whether it is met; remember it for the summary."""
    goal = Goal(name, float(value), float(target), unit, higher_is_better)
    RESULTS.append(goal)
    print(goal.line(), flush=True)
    return goal


def summary() -> str:
    if not RESULTS:
        return ""
    missed = [g for g in RESULTS if not g.met]
    lines = [f"\n=== goals: {len(RESULTS) - len(missed)} met, {len(missed)} missed ==="]
    lines += [g.line() for g in missed]
    return "\n".join(lines)
