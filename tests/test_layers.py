"""The allowed order of imports between domains: a domain imports only domains of its own
layer or below; what ties higher domains to lower ones is added by app/wiring.py. The
composition roots (app.main, app.wiring, app.cli, app.demo, app.models) import everything and
are imported by no domain."""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"

# Lowest first. A domain may import its own layer and every layer before it.
LAYERS = [
    {"accounts", "schools"},           # who people are, and the organisations they belong to
    {"catalog", "cycles", "meetings"},  # the year wheel and its meetings
    {"feeds", "scheduling"},           # calendars of meetings; booking them
    {"agendas"},                       # what a dialogue is about
    {"datapackages"},                  # the data a dialogue looks at
    {"notes"},                         # what came of it
    {"summary"},                       # the municipality's look across all its dialogues
    {"audit", "sso"},                  # who used whose data; logging in with the municipality's IdP
    {"admin"},                         # administration and onboarding: people, logins, imports
]
ROOTS = {"main", "wiring", "cli", "demo", "models"}


def _domain_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "app" else None


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "app":
                yield from (f"app.{a.name}" for a in node.names)
            else:
                yield node.module
        elif isinstance(node, ast.Import):
            yield from (a.name for a in node.names)


def _layer(domain: str) -> int:
    return next(i for i, layer in enumerate(LAYERS) if domain in layer)


def test_every_domain_has_a_layer():
    domains = {p.name for p in APP.iterdir() if (p / "__init__.py").exists()} - {"translations"}
    assert domains == set().union(*LAYERS)


def test_domains_import_only_their_layer_and_below():
    wrong = []
    for path in sorted(APP.rglob("*.py")):
        rel = path.relative_to(APP)
        if len(rel.parts) == 1 or rel.parts[0] == "translations":
            continue
        source = rel.parts[0]
        for module in _imports(path):
            target = _domain_of(module)
            if target is None or target == source:
                continue
            if target in ROOTS:
                wrong.append(f"app/{rel} imports the composition root {module}")
            elif target in set().union(*LAYERS) and _layer(target) > _layer(source):
                wrong.append(f"app/{rel} ({source}) imports the higher domain {module}")
    assert wrong == []


def test_shared_modules_import_no_composition_root():
    wrong = [f"app/{p.name} imports {m}" for p in sorted(APP.glob("*.py"))
             if p.stem not in ROOTS for m in _imports(p) if _domain_of(m) in ROOTS]
    assert wrong == []
