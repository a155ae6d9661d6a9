"""What every page the course writes needs to work offline: MathJax from the page's own folder
(the jupyter-server-mathjax package ships it), and no script from a CDN."""
import shutil
from pathlib import Path

# MathJax 2 as the jupyter-server-mathjax package ships it: its combined configuration, then ours
MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full,local/gan-course"
# the package ships the STIX-Web fonts only (Jupyter's classic notebook used them): never ask for
# the TeX fonts it lacks, or for image fonts
LOCAL_CONFIG = """MathJax.Hub.Config({"HTML-CSS": {availableFonts: [], preferredFont: null,
                                    webFont: "STIX-Web", imageFont: null}});
MathJax.Ajax.loadComplete("[MathJax]/config/local/gan-course.js");
"""


def copy_mathjax(target: Path) -> Path:
    """MathJax into ``target`` (once), so pages beside it load ``<target>/MathJax.js`` locally."""
    import jupyter_server_mathjax
    source = Path(jupyter_server_mathjax.__file__).parent / "static"
    if not (target / "MathJax.js").exists():
        shutil.copytree(source, target, dirs_exist_ok=True)
    local = target / "config" / "local" / "gan-course.js"
    local.parent.mkdir(parents=True, exist_ok=True)
    local.write_text(LOCAL_CONFIG, encoding="utf-8")
    return target
