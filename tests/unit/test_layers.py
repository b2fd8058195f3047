"""The architecture's arrows (docs/architecture.md, "Layers"), checked on every module's imports.

Each module of the app is parsed (ast, nothing imported), and every import it makes, at the top or
inside a function, and every module it loads by a name written in the code (importlib.import_module,
runpy.run_module, __import__), is compared with the table below. scripts/ and tests/ are tools around the app,
not part of it, and are not checked.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ("domain", "storage", "loaders", "viz", "services", "ui", "pages", "i18n")

# layer -> the top-level packages it must never import (same table as docs/architecture.md).
FORBIDDEN = {
    "domain": {"storage", "loaders", "viz", "services", "ui", "pages", "i18n", "streamlit"},
    "storage": {"loaders", "viz", "services", "ui", "pages", "streamlit"},
    "viz": {"storage", "services", "ui", "pages", "streamlit"},
    "loaders": {"viz", "services", "ui", "pages", "streamlit"},
    "i18n": {"domain", "storage", "loaders", "viz", "services", "ui", "pages", "streamlit"},
    "services": {"ui", "pages", "streamlit"},
    "ui": {"pages"},
    "pages": {"pages"},
    "dashboard": {"pages"},
}

# Opening a transaction or writing an audit record on an open one is the store's business: the rest
# of the app calls a storage function (one transaction each) or storage.audit.log(engine, ...).
STORAGE_ONLY = {
    ("storage.engine", "write_tx"),
    ("storage.engine", "read_tx"),
    ("storage.audit", "record"),
}

# Known exceptions while they are being removed: (module, imported package) -> why.
ALLOWED: dict[tuple[str, str], str] = {
    # `python -m viz.sitrep` hands over to services/sitrep.py's command line (runpy, only under
    # __main__): the renderer itself loads no service. The command belongs to services.sitrep.
    ("viz.sitrep", "services"): "command-line alias of python -m services.sitrep",
}
DYNAMIC = {"import_module", "run_module", "__import__"}  # loaders of a module by its name


def modules():
    """(dotted module name, layer, path) of every module of the app."""
    yield "dashboard", "dashboard", ROOT / "dashboard.py"
    for layer in APP:
        for path in sorted((ROOT / layer).rglob("*.py")):
            rel = path.relative_to(ROOT).with_suffix("")
            yield ".".join(rel.parts), layer, path


def imports(name: str, path: Path):
    """(imported module, imported names) for each import statement, relative ones resolved."""
    package = name.split(".")[:-1] if path.name != "__init__.py" else name.split(".")
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name, ()
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package[: len(package) - node.level + 1]) if node.level else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            yield module, tuple(a.name for a in node.names)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) in DYNAMIC
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.args[0].value, ()


def test_imports_resolve_relative_ones_and_see_modules_loaded_by_name(tmp_path):
    path = ROOT / "storage" / "audit.py"
    assert ("storage.models", ("AuditEvent", "utcnow")) in set(imports("storage.audit", path))
    code = tmp_path / "m.py"
    code.write_text(
        "import importlib, runpy\n"
        "def f():\n    importlib.import_module('storage.queries')\n    runpy.run_module('services.x')\n"
    )
    assert {m for m, _ in imports("viz.m", code)} == {
        "importlib",
        "runpy",
        "storage.queries",
        "services.x",
    }


def test_no_forbidden_arrow():
    arrows = []
    for name, layer, path in modules():
        for module, _ in imports(name, path):
            top = module.split(".")[0]
            if top in FORBIDDEN[layer] and (name, top) not in ALLOWED:
                arrows.append(f"{name} -> {module}")
    assert sorted(set(arrows)) == [], "\n".join(sorted(set(arrows)))


def test_only_ui_pages_and_dashboard_import_streamlit():
    found = {
        name
        for name, layer, path in modules()
        if layer not in ("ui", "pages", "dashboard")
        for module, _ in imports(name, path)
        if module.split(".")[0] == "streamlit"
    }
    assert found == set()


def test_transactions_and_audit_records_stay_in_storage():
    found = sorted(
        f"{name}: {module}.{n}"
        for name, layer, path in modules()
        if layer != "storage"
        for module, names in imports(name, path)
        for n in names
        if (module, n) in STORAGE_ONLY
    )
    assert found == [], "\n".join(found)


def test_the_allowlist_names_only_real_arrows():
    """An exception that no longer occurs must leave the list (it would hide a new one)."""
    real = {
        (name, module.split(".")[0])
        for name, _, path in modules()
        for module, _ in imports(name, path)
    }
    assert set(ALLOWED) <= real
