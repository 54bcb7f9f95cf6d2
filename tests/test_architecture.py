"""The codebase keeps its shape: imports run one way, top down, and modules stay readable.

reports -> callbacks -> bookings -> therapists -> clinic.core, clinic.sms, clinic.codes,
clinic.mail. The SMS, texted-code and email apps are infrastructure and know no domain model.
Checked on the source (every import statement, including ones inside functions), so a new
shortcut fails here rather than in a reviewer's head.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INFRASTRUCTURE = {"clinic.core", "clinic.sms", "clinic.codes", "clinic.mail"}
LAYERS = {
    "clinic.core": set(),
    "clinic.sms": {"clinic.core"},
    "clinic.mail": {"clinic.core"},
    "clinic.codes": {"clinic.core", "clinic.sms"},
    "therapists": INFRASTRUCTURE,
    "bookings": {"therapists"} | INFRASTRUCTURE,
    "callbacks": {"bookings", "therapists"} | INFRASTRUCTURE,
    "reports": {"callbacks", "bookings", "therapists"} | INFRASTRUCTURE,
}
APPS = set(LAYERS)
MAX_LINES = 420  # "a module past ~400 lines becomes a package"


def _package_of(module: str) -> str | None:
    for app in sorted(APPS, key=len, reverse=True):
        if module == app or module.startswith(app + "."):
            return app
    return None


def _source_files(app: str):
    folder = ROOT.joinpath(*app.split("."))
    for path in folder.rglob("*.py"):
        if "migrations" not in path.parts:
            yield path


def _imports(path: Path, app: str):
    tree = ast.parse(path.read_text(), filename=str(path))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                yield ".".join([*base, node.module] if node.module else base)
            else:
                yield node.module


@pytest.mark.parametrize("app", sorted(APPS))
def test_each_app_imports_only_the_layers_below_it(app):
    wrong = []
    for path in _source_files(app):
        for module in _imports(path, app):
            target = _package_of(module or "")
            if target and target != app and target not in LAYERS[app]:
                wrong.append(f"{path.relative_to(ROOT)} imports {module}")
    assert wrong == []


def test_no_module_grows_past_about_400_lines():
    long = []
    for app in APPS:
        for path in _source_files(app):
            lines = len(path.read_text().splitlines())
            if lines > MAX_LINES:
                long.append(f"{path.relative_to(ROOT)}: {lines} lines")
    assert long == []
