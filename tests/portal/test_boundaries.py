"""The portal talks to the indexer only through the package's public face (``indexer.__all__``).

Reaching into a stage (indexer.reading.sniff, indexer.enrichment.sidecar …)
ties the portal to the indexer's insides; this test fails on the first such import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import indexer

PORTAL = Path(__file__).resolve().parents[2] / "portal"


def _indexer_imports(path: Path) -> list[str]:
    """Every import of the indexer in one module, as written (``indexer.ingest``, ``indexer:ingest_files``)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name.split(".")[0] == "indexer"]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "indexer":
            found += [f"{node.module}:{alias.name}" for alias in node.names]
    return found


def test_portal_imports_only_the_indexer_package() -> None:
    """No portal module imports an indexer submodule, nor a name the package does not make public."""
    public = set(indexer.__all__)
    offenders: list[str] = []
    for path in sorted(PORTAL.rglob("*.py")):
        for imported in _indexer_imports(path):
            module, _, name = imported.partition(":")
            if module != "indexer" or (name and name not in public):
                offenders.append(f"{path.relative_to(PORTAL.parent)}: {imported}")
    assert not offenders, "the portal reaches into the indexer:\n" + "\n".join(offenders)


def test_public_face_is_importable() -> None:
    """Every name the indexer declares public exists."""
    missing = [name for name in indexer.__all__ if not hasattr(indexer, name)]
    assert not missing
