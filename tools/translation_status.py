"""Keep the Chinese edition (notebooks/zh/) in step with the English lessons.

Each zh lesson has the English lesson's cells in the same order and types, and every zh cell
records in its metadata (``translation.source``) the hash of the English cell it translates.
This tool reports, per lesson and cell:

* stale        the English cell changed since it was translated (its hash differs);
* drifted      a code cell is not the same program (ASTs compared without comments and without
               learner-facing strings: prose, f-strings, titles, labels, hints, alt texts), or
               its tags or folding differ;
* untranslated a markdown paragraph still in English, English words left inside a formula's
               \text{...}, or a lesson with no zh file;
* problems     a formula of the English cell missing from its translation (a translation may change
               only what is inside \text{...}: the words, never the mathematics), a link that does
               not lead to the zh lessons, a term the glossary says to avoid (its 亦作 variants,
               another text's standard terms, are fine); a figure's alt text
               (metadata.mystnb.image.alt, which the book gives the cell's pictures) in only one
               of the two editions, or a zh alt text (or alt="..." argument) that is not Chinese;
               a print() that puts its default space after full-width punctuation
               (print("形状：", x) shows "形状： (28, 28)").

Usage:
  python tools/translation_status.py                 report on every lesson; exit 1 if anything is off
  python tools/translation_status.py 03 07           only these lessons
  python tools/translation_status.py new 03          write notebooks/zh/03_*.ipynb as a copy of the
                                                     English lesson to translate (never overwrites)
  python tools/translation_status.py stamp 03 5 7    after updating cells 5 and 7 of the zh lesson 03
                                                     to today's English, record the English hashes
Cells are numbered from 1, counting every cell, as Jupyter shows them.
"""
import argparse
import ast
import hashlib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gan_utils.course.notebooks import find_lessons, notebook_text, read_notebook, write_atomically  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ENGLISH = ROOT / "notebooks"
CHINESE = ENGLISH / "zh"
GLOSSARY = ENGLISH / "GLOSSARY.md"
# functions and keywords whose string arguments a learner reads, so a translation may change them
LEARNER_CALLS = {"print", "title", "set_title", "suptitle", "xlabel", "ylabel", "set_xlabel", "set_ylabel",
                 "text", "annotate", "Markdown", "HTML", "display_markdown"}
LEARNER_KEYWORDS = {"label", "title", "xlabel", "ylabel", "description", "desc", "hint", "tooltip",
                    "caption", "message", "question", "titles", "lang",  # lang="zh" is the edition's own setting
                    "alt"}  # an animation's alt text: viz.show_progress(..., alt=...), viz.animation_player(..., alt=...)
MATH = re.compile(r"\$\$.+?\$\$|(?<![\\$])\$(?!\$).+?(?<!\\)\$", re.S)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
CJK = re.compile(r"[\u3400-\u9fff]")
ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")
# \text{...} in a formula, one level of braces inside allowed: \text{the {best} D}
TEXT = re.compile(r"\\text\s*\{((?:[^{}]|\{[^{}]*\})*)\}")
# one English word alone inside \text{} that is prose, not a name such as \text{mean} or \text{out}
ENGLISH_TEXT_WORDS = {"if", "and", "or", "for", "where", "otherwise", "else", "when", "with", "is", "of", "the"}
# "（亦作 批量规范化）" in a glossary 中文 cell: another standard text's term, listed so readers find it
ALSO_WRITTEN = re.compile(r"[（(]亦作[：:\s]*([^）)]+)[）)]")
# full-width punctuation that print()'s default space must not follow (or precede: "，" after a value)
FULL_WIDTH_END = "：，。；、！？"
FULL_WIDTH_START = "：，。；、！？）"


def source_hash(text: str) -> str:
    """The hash a zh cell records for the English cell it translates."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# ---- the glossary: one term per concept, variants to avoid ----

def glossary_rows(glossary: Path = GLOSSARY) -> list[list[str]]:
    """The glossary tables' rows, one list of five cells (English, 中文, meaning, lesson, 避免) per
    term; header and separator rows left out."""
    rows = []
    for line in glossary.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and not set(cells[1]) <= set("-: ") and cells[1] != "中文":
            rows.append(cells)
    return rows


def _variants(cell: str) -> list[str]:
    """The terms of a glossary cell, without their notes: "崩溃（单独使用时）、崩塌" -> 崩溃, 崩塌."""
    cell = re.sub(r"（[^）]*）|\([^)]*\)", "", cell)
    return [v.strip() for v in re.split(r"[、,，]", cell) if v.strip()]


def chosen_term(cell: str) -> str:
    """A glossary 中文 cell without its （亦作 ...） note: the term the edition uses."""
    return ALSO_WRITTEN.sub("", cell).strip()


def avoided_terms(glossary: Path = GLOSSARY) -> dict[str, str]:
    """{variant to avoid: the glossary's term} from the glossary tables' last column (避免)."""
    avoid = {}
    for cells in glossary_rows(glossary):
        for variant in _variants(cells[4]):
            avoid[variant] = chosen_term(cells[1])
    return avoid


def also_written(glossary: Path = GLOSSARY) -> dict[str, str]:
    """{variant: the glossary's term} from the 中文 cells' （亦作 ...） notes: the terms of another
    standard text (d2l-zh's 批量规范化 for 批归一化), never flagged, so a reader who learned them
    finds the edition's term beside them in the glossary."""
    also = {}
    for cells in glossary_rows(glossary):
        for note in ALSO_WRITTEN.findall(cells[1]):
            for variant in _variants(note):
                also[variant] = chosen_term(cells[1])
    return also


def forbidden_terms_in(text: str, avoid: dict[str, str], also: dict[str, str] | None = None) -> list[str]:
    """'variant (use term)' for every avoided variant in ``text``. Inside a chosen term it is fine
    (崩溃 is avoided, 模式崩溃 is the term: "模式崩溃" is not flagged, "崩溃了" alone is), and so it
    is inside a 亦作 variant of ``also``."""
    found = []
    for variant, term in avoid.items():
        cleaned = text
        for allowed in sorted({t for t in [*avoid.values(), *(also or {})] if variant in t}, key=len, reverse=True):
            cleaned = cleaned.replace(allowed, "")
        if variant in cleaned:
            found.append(f"{variant}（用 {term}）")
    return found


# ---- code cells: the same program ----

def _strip_magics(source: str) -> str:
    return "\n".join("pass" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def _is_prose(value: str) -> bool:
    return bool(re.search(r"\s", value)) or any(ord(ch) > 127 for ch in value)


class _Normaliser(ast.NodeTransformer):
    """Replace learner-facing strings by one placeholder; program strings ('cpu', 'd_loss') stay."""

    def visit_JoinedStr(self, node):
        return ast.Constant("<text>")

    def visit_Constant(self, node):
        if isinstance(node.value, str) and _is_prose(node.value):
            return ast.Constant("<text>")
        return node

    def visit_Call(self, node):
        self.generic_visit(node)
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name in LEARNER_CALLS:
            node.args = [_texts_replaced(a) for a in node.args]
        for keyword in node.keywords:
            if keyword.arg in LEARNER_KEYWORDS:
                keyword.value = _texts_replaced(keyword.value)
        return node


def _texts_replaced(node):
    """Every string in ``node`` (``"image" if c == 0 else f"map {c}"`` too) as the placeholder."""
    for child in ast.walk(node):
        for name, value in ast.iter_fields(child):
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                setattr(child, name, ast.Constant("<text>"))
            elif isinstance(value, list):
                value[:] = [ast.Constant("<text>") if isinstance(v, ast.Constant) and isinstance(v.value, str)
                            else v for v in value]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return ast.Constant("<text>")
    return node


def program_of(source: str) -> str:
    """A code cell as a program, without comments and learner-facing strings (an AST dump)."""
    tree = ast.parse(_strip_magics(source))
    return ast.dump(_Normaliser().visit(tree), include_attributes=False)


def math_with_chinese(source: str) -> list[str]:
    """Strings of a code cell that mix $math$ with Chinese: matplotlib draws such a label entirely
    with its math fonts, which have no Chinese glyphs, so the Chinese shows as boxes."""
    found = []
    for node in ast.walk(ast.parse(_strip_magics(source))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        elif isinstance(node, ast.JoinedStr):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        else:
            continue
        if CJK.search(text) and re.search(r"\$[^$]+\$", text):
            found.append(text[:60])
    return found


def _string_ends(node) -> tuple[str, str] | None:
    """The first and last characters of a string argument's fixed text (an f-string's too)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr) and node.values:
        first, last = node.values[0], node.values[-1]
        return (first.value[:1] if isinstance(first, ast.Constant) else "",
                last.value[-1:] if isinstance(last, ast.Constant) else "")
    else:
        return None
    return text[:1], text[-1:]


def spaced_full_width(source: str) -> list[str]:
    """print() calls whose default separator puts a space after full-width punctuation
    (print("形状：", x) shows "形状： (28, 28)") or before it (print(x, "，越小越好")), each as
    "print(...) shows a space after '：'". A string that ends in spaces is padded on purpose
    (aligned columns) and is fine, and so is a print() with its own sep=."""
    found = []
    for node in ast.walk(ast.parse(_strip_magics(source))):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "print"):
            continue
        sep = next((k.value for k in node.keywords if k.arg == "sep"), None)
        if sep is not None and not (isinstance(sep, ast.Constant) and sep.value == " "):
            continue
        marks = []
        for left, right in zip(node.args, node.args[1:]):
            left_ends, right_ends = _string_ends(left), _string_ends(right)
            if left_ends and left_ends[1] and left_ends[1] in FULL_WIDTH_END:
                marks.append(f"after {left_ends[1]!r}")
            elif right_ends and right_ends[0] and right_ends[0] in FULL_WIDTH_START:
                marks.append(f"before {right_ends[0]!r}")
        if marks:
            call = ast.unparse(node)
            found.append(f"{call[:40] + ' ...' if len(call) > 40 else call} shows a space "
                         f"{', '.join(dict.fromkeys(marks))}")
    return found


# ---- alt text of figures ----

def alt_text(cell) -> str | None:
    """The alt text MyST-NB gives the cell's pictures in the book: metadata.mystnb.image.alt."""
    alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt")
    return alt if isinstance(alt, str) and alt.strip() else None


def reads_as_english(text: str) -> bool:
    """True for a text meant to be Chinese that is not: no Chinese character at all, or mostly
    English words with a few Chinese ones mixed in. Chinese prose with a few English names in it
    (D(x), lerp, WGAN-GP, MNIST) has far more Chinese characters than English words."""
    words = len(ENGLISH_WORD.findall(MATH.sub(" ", text)))
    characters = len(CJK.findall(text))
    return characters == 0 or (words >= 5 and characters < 3 * words)


def alt_arguments(source: str) -> list[str]:
    """The alt="..." strings of a code cell's calls (an f-string's fixed parts joined)."""
    found = []
    for node in ast.walk(ast.parse(_strip_magics(source))):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "alt" and isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, str):
                    found.append(keyword.value.value)
                elif keyword.arg == "alt" and isinstance(keyword.value, ast.JoinedStr):
                    found.append("".join(v.value for v in keyword.value.values if isinstance(v, ast.Constant)))
    return found


def alt_problems(english_cell, zh_cell, avoid: dict[str, str], also: dict[str, str] | None = None) -> list[str]:
    """What is wrong with the zh cell's alt texts, compared with the English cell's."""
    en_alt, zh_alt = alt_text(english_cell), alt_text(zh_cell)
    problems = []
    if en_alt and not zh_alt:
        problems.append("the English cell has alt text for its figure (metadata.mystnb.image.alt), this one has none")
    elif zh_alt and not en_alt:
        problems.append("alt text (metadata.mystnb.image.alt) here, none in the English cell")
    texts = [("alt text", zh_alt)] if zh_alt else []
    if zh_cell.cell_type == "code":
        try:
            texts += [("alt= argument", text) for text in alt_arguments(zh_cell.source)]
        except SyntaxError:
            pass   # reported as drift
    for what, text in texts:
        if reads_as_english(text):
            problems.append(f"{what} {text[:60]!r} is not Chinese: write it in Chinese, as the cell's other text")
        if what == "alt text":   # an alt= argument is part of the source, which is checked anyway
            problems += [f"{what}: avoid {t}" for t in forbidden_terms_in(text, avoid, also)]
    return problems


# ---- markdown cells ----

def formulas(text: str) -> list[str]:
    return MATH.findall(text)


def formula_skeleton(formula: str) -> str:
    """The formula with every \\text{...} emptied: what a translation must keep as it is."""
    return TEXT.sub(r"\\text{}", formula)


def formula_problems(english: str, chinese: str) -> list[str]:
    """The English cell's formulas that its translation lacks or changed. The words inside
    \\text{...} may be translated (the same number of \\text{} groups, everything outside them
    identical): $(\\text{label } 1)$ may become $(\\text{标签 } 1)$."""
    translated = {formula_skeleton(f) for f in formulas(chinese)}
    return [f"formula {f!r} missing or changed" for f in formulas(english)
            if f not in chinese and formula_skeleton(f) not in translated]


def english_in_text(content: str) -> bool:
    """True for the content of a \\text{} that is English words a reader should get in Chinese
    (\\text{that is }, \\text{real half, }, \\text{ if }, \\text{label }); names such as
    \\text{mean}, \\text{out}, \\text{DCGAN} (one word, nothing around it) stay."""
    words = ENGLISH_WORD.findall(content)
    if not words or CJK.search(content):
        return False
    return (len(words) >= 2 or content != content.strip() or bool(re.search(r"[,;:.]", content))
            or words[0].lower() in ENGLISH_TEXT_WORDS)


def english_text_in_formulas(text: str) -> list[str]:
    """'\\text{...} in $...$' for every \\text{} of a zh cell's formulas still in English."""
    return list(dict.fromkeys(f"\\text{{{content}}} in {formula[:50]!r}" for formula in formulas(text)
                              for content in TEXT.findall(formula) if english_in_text(content)))


def english_paragraphs(text: str) -> list[str]:
    """Paragraphs (and table rows) of a markdown cell that are English prose with no Chinese."""
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    found = []
    for block in re.split(r"\n\s*\n|\n(?=\|)", text):
        bare = MATH.sub(" ", block)
        bare = re.sub(r"`[^`]*`|<[^>]+>|\]\([^)]*\)|https?://\S+", " ", bare)
        words = len(ENGLISH_WORD.findall(bare))
        if not CJK.search(bare) and (words >= 6 or (block.lstrip().startswith("#") and words >= 1)):
            found.append(block.strip()[:80])
    return found


def link_problems(text: str, zh_folder: Path) -> list[str]:
    """Relative links that lead nowhere, or to an English page that has a zh version."""
    problems = []
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:|#", target):
            continue
        path = target.split("#")[0]
        resolved = (zh_folder / path).resolve()
        if not resolved.exists():
            problems.append(f"link {target} leads nowhere")
        elif resolved.parent == ENGLISH.resolve() and (CHINESE / resolved.name).exists():
            problems.append(f"link {target} leads to the English {resolved.name}; use {resolved.name}")
        elif resolved == (ROOT / "README.md").resolve():
            problems.append(f"link {target} leads to the English README; use ../../README.zh-CN.md")
    return problems


# ---- one lesson ----

@dataclass
class LessonStatus:
    name: str
    missing: bool = False
    stale: list[str] = field(default_factory=list)
    drifted: list[str] = field(default_factory=list)
    untranslated: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.stale or self.drifted or self.untranslated or self.problems)


def lesson_status(english_path: Path, zh_path: Path, avoid: dict[str, str],
                  also: dict[str, str] | None = None) -> LessonStatus:
    status = LessonStatus(english_path.name)
    if not zh_path.exists():
        status.missing = True
        return status
    en, zh = read_notebook(english_path), read_notebook(zh_path)
    if [c.cell_type for c in en.cells] != [c.cell_type for c in zh.cells]:
        status.drifted.append(f"cells: the English has {len(en.cells)} "
                              f"({''.join(c.cell_type[0] for c in en.cells)}), the zh "
                              f"{len(zh.cells)} ({''.join(c.cell_type[0] for c in zh.cells)}); "
                              f"m = markdown, c = code, r = raw")
        return status
    for number, (e, z) in enumerate(zip(en.cells, zh.cells), start=1):
        where = f"cell {number}"
        recorded = z.metadata.get("translation", {}).get("source")
        if recorded != source_hash(e.source):
            status.stale.append(f"{where}: the English cell changed since it was translated"
                                if recorded else f"{where}: records no English hash")
        if sorted(e.metadata.get("tags", [])) != sorted(z.metadata.get("tags", [])):
            status.drifted.append(f"{where}: tags {e.metadata.get('tags', [])} in English, "
                                  f"{z.metadata.get('tags', [])} here")
        if e.metadata.get("jupyter", {}) != z.metadata.get("jupyter", {}):
            status.drifted.append(f"{where}: folded (metadata.jupyter) {e.metadata.get('jupyter', {})} in "
                                  f"English, {z.metadata.get('jupyter', {})} here")
        if e.cell_type == "code":
            try:
                same = program_of(e.source) == program_of(z.source)
            except SyntaxError as err:
                status.drifted.append(f"{where}: not valid Python ({err.msg}, line {err.lineno})")
                continue
            if not same:
                status.drifted.append(f"{where}: not the same program as the English cell")
            status.problems += [f"{where}: {text!r} mixes $math$ and Chinese, which a plot draws as boxes; "
                                f"write the formula in plain Unicode (p̂, −log D(x))" for text in math_with_chinese(z.source)]
            status.problems += [f"{where}: {p}: put the value in an f-string (f\"形状：{{x}}\") in both "
                                f"editions, or reword the text" for p in spaced_full_width(z.source)]
        elif e.cell_type == "markdown":
            status.untranslated += [f"{where}: {p!r}" for p in english_paragraphs(z.source)]
            status.untranslated += [f"{where}: English words {t}: translate them (only \\text{{}} may "
                                    f"differ from the English formula)" for t in english_text_in_formulas(z.source)]
            status.problems += [f"{where}: {p}" for p in formula_problems(e.source, z.source)]
            status.problems += [f"{where}: {p}" for p in link_problems(z.source, zh_path.parent)]
        status.problems += [f"{where}: avoid {t}" for t in forbidden_terms_in(z.source, avoid, also)]
        status.problems += [f"{where}: {p}" for p in alt_problems(e, z, avoid, also)]
    return status


def course_status(only: list[str] | None = None, english: Path = ENGLISH, chinese: Path = CHINESE,
                  glossary: Path = GLOSSARY) -> list[LessonStatus]:
    avoid, also = avoided_terms(glossary), also_written(glossary)
    lessons = [p for p in find_lessons(english) if not only or any(p.name.startswith(o) for o in only)]
    return [lesson_status(p, chinese / p.name, avoid, also) for p in lessons]


def report(statuses: list[LessonStatus]) -> str:
    lines = []
    for s in statuses:
        if s.missing:
            lines.append(f"{s.name}: untranslated (no notebooks/zh/{s.name}; "
                         f"start one with: python tools/translation_status.py new {s.name[:2]})")
            continue
        lines.append(f"{s.name}: " + ("in step" if s.ok else
                     f"{len(s.stale)} stale, {len(s.drifted)} drifted, {len(s.untranslated)} untranslated, "
                     f"{len(s.problems)} other"))
        for kind in ("stale", "drifted", "untranslated", "problems"):
            lines += [f"  {kind}: {item}" for item in getattr(s, kind)]
    total = lambda kind: sum(len(getattr(s, kind)) for s in statuses)  # noqa: E731
    lines.append(f"total: {total('stale')} stale, {total('drifted')} drifted, "
                 f"{total('untranslated') + sum(s.missing for s in statuses)} untranslated, "
                 f"{total('problems')} other problems")
    return "\n".join(lines)


# ---- starting and stamping a translation ----

def _lesson(prefix: str) -> Path:
    matches = [p for p in find_lessons(ENGLISH) if p.name.startswith(prefix.zfill(2))]
    if len(matches) != 1:
        raise SystemExit(f"no single English lesson starts with {prefix!r}; give its number, e.g. 03")
    return matches[0]


def new_translation(prefix: str) -> Path:
    english = _lesson(prefix)
    target = CHINESE / english.name
    if target.exists():
        raise SystemExit(f"{target} exists; translate it in place (this never overwrites a translation)")
    nb = read_notebook(english)
    for cell in nb.cells:
        cell.metadata["translation"] = {"source": source_hash(cell.source)}
    CHINESE.mkdir(exist_ok=True)
    write_atomically(target, notebook_text(nb))
    return target


def stamp(prefix: str, numbers: list[int]) -> None:
    english = _lesson(prefix)
    en, zh = read_notebook(english), read_notebook(CHINESE / english.name)
    for number in numbers:
        if not 1 <= number <= len(zh.cells):
            raise SystemExit(f"cell {number}: the lesson has cells 1 to {len(zh.cells)}")
        zh.cells[number - 1].metadata["translation"] = {"source": source_hash(en.cells[number - 1].source)}
    write_atomically(CHINESE / english.name, notebook_text(zh))


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["new"]:
        for prefix in argv[1:]:
            print(f"wrote {new_translation(prefix).relative_to(ROOT)}")
        return 0
    if argv[:1] == ["stamp"]:
        if len(argv) < 3:
            raise SystemExit("usage: translation_status.py stamp LESSON CELL [CELL ...]")
        stamp(argv[1], [int(n) for n in argv[2:]])
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("lessons", nargs="*", help="lesson numbers or names (default: all)")
    args = parser.parse_args(argv)
    statuses = course_status(args.lessons)
    print(report(statuses))
    return 0 if all(s.ok for s in statuses) else 1


if __name__ == "__main__":
    sys.exit(main())
