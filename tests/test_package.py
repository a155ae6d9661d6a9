"""The package as a whole: importing it is cheap and quiet, and what it imports is declared."""
import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# import name -> distribution name, where they differ
DISTRIBUTIONS = {"PIL": "pillow", "IPython": "ipython"}


def test_importing_gan_utils_loads_neither_pyplot_nor_ipython_nor_widgets():
    code = ("import sys, gan_utils, gan_utils.data, gan_utils.train, gan_utils.models, gan_utils.latent; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('IPython', 'ipywidgets') "
            "or m == 'matplotlib.pyplot'))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]", f"importing gan_utils loaded {loaded.strip()}"


def third_party_imports() -> set[str]:
    """Top-level names of the packages gan_utils imports anywhere (at the top or inside functions)."""
    names = set()
    for path in (ROOT / "gan_utils").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names.add(node.module.split(".")[0])
    return {name for name in names if name not in sys.stdlib_module_names}


def test_every_package_gan_utils_imports_is_declared_in_pyproject():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    declared = {re.split(r"[<>=!~ \[]", requirement)[0].lower() for requirement in declared}
    missing = {DISTRIBUTIONS.get(name, name).lower() for name in third_party_imports()} - declared
    assert not missing, f"gan_utils imports {sorted(missing)}, which pyproject.toml does not declare"
