"""The README documents what a person can set: every environment variable, command-line flag and facet.

In the manner of Datasette's tests/test_docs.py: the code is scanned for what
it reads, and the test fails naming whatever the README does not mention.
The settings table is generated from portal/settings.py's ``SETTINGS`` and
must be the README's table exactly.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine import facets as registry
from portal.settings import SETTINGS, settings_table

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
#: Product code: what runs for a user (tests, benchmarks and tools are not documented settings).
PRODUCT = [*sorted((ROOT / "portal").rglob("*.py")), *sorted((ROOT / "indexer").rglob("*.py"))]
PRODUCT += [*sorted((ROOT / "engine").rglob("*.py")), ROOT / "deploy" / "gunicorn.conf.py"]
SCRIPTS = sorted((ROOT / "scripts").glob("*.sh"))
_SETTINGS_BLOCK = re.compile(r"<!-- settings: begin[^>]*-->\n(.*?)\n<!-- settings: end -->", re.DOTALL)


def _string_constants(tree: ast.Module) -> dict[str, str]:
    """Module-level ``NAME = "TEXT"`` assignments (``OCR_ENV = "INDEXER_OCR"``)."""
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            found.update({t.id: node.value.value for t in node.targets if isinstance(t, ast.Name)})
    return found


def _is_environ(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ"


def _env_reads(path: Path) -> Iterator[str]:
    """Names of the environment variables a module reads (os.environ.get/[]/setdefault, os.getenv)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    constants = _string_constants(tree)

    def name_of(arg: ast.expr) -> str | None:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return arg.value
        return constants.get(arg.id) if isinstance(arg, ast.Name) else None

    for node in ast.walk(tree):
        argument: ast.expr | None = None
        if isinstance(node, ast.Subscript) and _is_environ(node.value):
            argument = node.slice
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
            on_environ = node.func.attr in ("get", "setdefault", "pop") and _is_environ(node.func.value)
            if on_environ or node.func.attr == "getenv":
                argument = node.args[0]
        if argument is not None and (name := name_of(argument)):
            yield name


def _flags(path: Path) -> Iterator[str]:
    """Long options declared with ``add_argument("--flag", …)`` in a module (facet flags come from the registry)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "add_argument":
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value.startswith("--"):
                    yield arg.value


def _mentioned(name: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", README) is not None


def test_the_readme_settings_table_is_generated_from_settings() -> None:
    block = _SETTINGS_BLOCK.search(README)
    assert block, "README.md lacks the settings table between <!-- settings: begin --> and <!-- settings: end -->"
    assert block.group(1) == settings_table(), (
        "README.md's settings table differs from portal/settings.py; regenerate it with "
        '`python -c "from portal.settings import settings_table; print(settings_table())"`'
    )


def test_every_setting_says_what_it_does() -> None:
    assert all(setting.help.strip() for setting in SETTINGS)
    assert len({setting.env for setting in SETTINGS}) == len(SETTINGS)


@pytest.mark.parametrize("path", PRODUCT, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_environment_variable_read_is_documented(path: Path) -> None:
    missing = sorted({name for name in _env_reads(path) if not _mentioned(name)})
    assert not missing, f"{path.relative_to(ROOT)} reads {missing}, which README.md does not mention"


def test_every_environment_variable_of_the_scripts_is_documented() -> None:
    # ${NAME:-default}: a variable a person may set when running the script.
    names = {m for path in SCRIPTS for m in re.findall(r"\$\{([A-Z][A-Z0-9_]+):-", path.read_text(encoding="utf-8"))}
    assert not sorted(name for name in names if not _mentioned(name))


def test_the_scan_finds_what_it_should() -> None:
    """A guard on the scanner itself: a few reads it must see."""
    reads = {name for path in PRODUCT for name in _env_reads(path)}
    assert {"ES_URL", "INDEXER_COMMIT_EVERY", "WEB_CONCURRENCY"} <= reads
    # portal.settings reads through its table (os.environ.get(self.env)): those names are the table's rows.
    assert "PORTAL_EPHEMERAL_SECRET" in reads and "SECRET_KEY_FILE" in reads


def test_every_command_line_flag_is_documented() -> None:
    flags = {flag for path in PRODUCT for flag in _flags(path)} - {"--help"}
    assert {"--rebuild", "--literal", "--password-stdin"} <= flags
    assert not sorted(flag for flag in flags if not _mentioned(flag))


def test_every_facet_is_documented() -> None:
    missing = [f.name for f in registry.all_facets() if not _mentioned(f"`{f.name}`") or not _mentioned(f.flag)]
    assert not missing, f"README.md does not document the facets {missing} (parameter and CLI flag)"
