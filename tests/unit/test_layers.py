"""Architecture rule: only ui/, pages/ and dashboard.py may import Streamlit."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_pure_layers_do_not_import_streamlit():
    offenders = []
    for layer in ("domain", "loaders", "storage", "services", "viz", "i18n"):
        for path in (ROOT / layer).rglob("*.py"):
            tree = ast.parse(path.read_text(), filename=str(path))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                if any(n == "streamlit" or n.startswith("streamlit.") for n in names):
                    offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
