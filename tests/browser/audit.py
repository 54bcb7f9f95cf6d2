"""The accessibility audit every public page gets in the browser tests.

`Audit.check(page, name)` screenshots the page and records what fails:
- axe-core (bundled by axe-playwright-python, injected through DevTools, so the strict CSP stays
  on): no serious or critical violation;
- tap targets: every control at least 44x44 CSS px (WCAG 2.5.5). A radio or checkbox is measured
  by its label, which must cover the box; a link inside a sentence is exempt, as 2.5.5 allows;
- the borders of form fields at least 3:1 against what is around them (WCAG 1.4.11);
- a focus ring on every control reached with Tab: a solid outline at least 2 px wide and 3:1
  against the background (WCAG 2.4.7, 2.4.13), and every control reachable;
- the clinic's name and the header links clear of the screen's edges, and no sideways scrolling.

Each test walks its pages, then calls `assert_clean()`, which lists every problem on every page.
"""

from __future__ import annotations

from pathlib import Path

from axe_playwright_python.sync_playwright import Axe

MIN_TARGET = 44
MIN_CONTRAST = 3.0
MIN_RING_WIDTH = 2.0
MIN_EDGE_GAP = 12
BLOCKING_IMPACTS = {"serious", "critical"}

MEASURE = (Path(__file__).with_name("audit.js")).read_text()
AXE = Axe()


def measure(page, what: str):
    return page.evaluate(MEASURE, what)


def axe_problems(page) -> list[str]:
    results = AXE.run(page)
    return [
        f"axe {v['id']} ({v['impact']}): {v['help']}: " + ", ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        for v in results.response["violations"]
        if v["impact"] in BLOCKING_IMPACTS
    ]


def target_problems(page) -> list[str]:
    return [
        f"tap target {t['width']}x{t['height']} px ({t['kind']}): {t['element']}"
        for t in measure(page, "targets")
        if t["width"] < MIN_TARGET or t["height"] < MIN_TARGET
    ]


def border_problems(page) -> list[str]:
    problems = []
    for b in measure(page, "borders"):
        worst = b["against_outside"]
        if "type=radio" not in b["element"] and "type=checkbox" not in b["element"]:
            worst = min(worst, b["against_inside"])
        if worst < MIN_CONTRAST or b["width"] < 1:
            problems.append(
                f"field border {b['border']} {b['width']}px is {worst}:1 "
                f"(outside {b['outside']}, inside {b['inside']}): {b['element']}"
            )
    return problems


def focus_problems(page, *, on_first_in_main=None) -> list[str]:
    """Tab through the page from the top; every control must be reached and show a clear ring.
    `on_first_in_main(page)` is called once, with focus on the first control in <main>."""
    expected = measure(page, "tabbable")
    page.evaluate("() => { window.scrollTo(0, 0); if (document.activeElement) document.activeElement.blur(); }")
    problems, seen_ids, seen_groups = [], set(), set()
    for _ in range(2 * len(expected) + 4):
        page.keyboard.press("Tab")
        focused = measure(page, "focused")
        if focused is None:
            continue
        if focused["id"] in seen_ids and not focused["group"]:
            if seen_ids >= {e["id"] for e in expected if not e["group"]}:
                break
            continue
        seen_ids.add(focused["id"])
        if focused["group"]:
            seen_groups.add(focused["group"])
        if on_first_in_main and focused["in_main"]:
            on_first_in_main(page)
            on_first_in_main = None
        ring_ok = (
            focused["style"] not in ("none", "hidden")
            and focused["width"] >= MIN_RING_WIDTH
            and focused["against"] >= MIN_CONTRAST
        )
        if not ring_ok:
            problems.append(
                f"focus ring {focused['style']} {focused['width']}px {focused['colour']} is "
                f"{focused['against']}:1 on {focused['background']}: {focused['element']}"
            )
    for e in expected:
        reached = e["group"] in seen_groups if e["group"] else e["id"] in seen_ids
        if not reached:
            problems.append(f"not reached with Tab: {e['element']}")
    return problems


def edge_problems(page) -> list[str]:
    edges = measure(page, "edges")
    width = edges["viewport"]
    problems = []
    if edges["scroll_width"] > width:
        problems.append(f"the page scrolls sideways: {edges['scroll_width']} px wide in a {width} px window")
    for item in ([edges["brand"]] if edges["brand"] else []) + edges["nav"]:
        left, right = item["x"], width - (item["x"] + item["width"])
        if left < MIN_EDGE_GAP or right < MIN_EDGE_GAP:
            problems.append(f"{item['text']!r} is {left} px from the left edge and {right:.0f} px from the right")
    return problems


class Audit:
    """Collects problems page by page, so one run reports everything that is wrong."""

    def __init__(self, shots):
        self.shots = shots
        self.problems: dict[str, list[str]] = {}
        self.pages: list[str] = []

    def check(self, page, name: str) -> None:
        page.wait_for_load_state("load")
        self.shots(page, name)
        found = axe_problems(page) + target_problems(page) + border_problems(page) + edge_problems(page)
        found += focus_problems(page, on_first_in_main=lambda p: self.shots(p, f"{name}-focus", full_page=False))
        self.pages.append(name)
        if found:
            self.problems[name] = found

    def assert_clean(self) -> None:
        assert self.pages, "nothing was audited"
        report = "\n".join(
            f"{name}:\n" + "\n".join(f"  - {p}" for p in problems) for name, problems in self.problems.items()
        )
        assert not self.problems, (
            f"accessibility problems on {len(self.problems)} of {len(self.pages)} pages:\n{report}"
        )
