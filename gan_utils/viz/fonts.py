"""Chinese text in plots, offline: matplotlib's default font has no Chinese glyphs (they draw as
empty boxes), so the Chinese edition adds a CJK font behind it. The font comes from the
``mplfonts`` package that setup installs (Noto Sans CJK SC, SIL Open Font License), or from the
system when that package is missing."""
import functools
import importlib.util
from pathlib import Path

BUNDLED_FONT = "NotoSansCJKsc-Regular.otf"  # inside the mplfonts package's fonts/ folder
SYSTEM_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
                   "Microsoft YaHei", "PingFang SC", "SimHei")
_said_missing = False


def bundled_font_file() -> Path | None:
    """The Noto Sans CJK SC file shipped in the mplfonts package, found without importing it."""
    spec = importlib.util.find_spec("mplfonts")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "fonts" / BUNDLED_FONT
        if path.is_file():
            return path
    return None


@functools.cache   # registering the 16 MB font once per kernel, not at every start_lesson()
def chinese_font_family() -> str | None:
    """The name of a font with Chinese glyphs that matplotlib can use here, or None."""
    from matplotlib import font_manager

    path = bundled_font_file()
    if path is not None:
        font_manager.fontManager.addfont(str(path))
        return font_manager.FontProperties(fname=str(path)).get_name()
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((family for family in SYSTEM_FAMILIES if family in installed), None)


def use_chinese_font() -> str | None:
    """Put a Chinese font behind matplotlib's default one (Latin letters, digits and the minus sign
    keep their usual look; Chinese characters fall back to it). Returns the family, or None after
    saying once how to get one."""
    global _said_missing
    import matplotlib

    family = chinese_font_family()
    if family is None:
        if not _said_missing:
            print("没有找到中文字体，图中的中文会显示为方框。请运行 `make setup`"
                  "（或 `pip install mplfonts`）后重启内核。\n"
                  "No Chinese font found: Chinese text in plots will show as boxes. Run `make setup` "
                  "(or `pip install mplfonts`) and restart the kernel.")
            _said_missing = True
        return None
    # matplotlib draws each character with the first family in this list that has it
    families = [f for f in matplotlib.rcParams["font.family"] if f != family]
    matplotlib.rcParams["font.family"] = families + [family]
    return family
