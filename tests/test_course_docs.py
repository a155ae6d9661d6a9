"""The course's signposts: every lesson links the next, the README links every lesson, the
glossary has the source material's terms, and no relative link in the docs is broken."""
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def markdown_of(path: Path) -> str:
    return "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")


@pytest.mark.parametrize("index", range(len(LESSONS) - 1), ids=lambda i: LESSONS[i].name)
def test_each_lesson_ends_with_a_link_to_the_next(index):
    text = markdown_of(LESSONS[index])
    whats_next = text[text.rindex("What's next"):]
    assert f"({LESSONS[index + 1].name})" in whats_next


def test_readme_links_every_lesson_the_glossary_and_the_teacher_guide():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for target in [*LESSONS, NOTEBOOKS / "GLOSSARY.md", NOTEBOOKS / "TEACHER_GUIDE.md", NOTEBOOKS / "SYMPTOMS.md"]:
        assert f"(notebooks/{target.name})" in readme, target.name


def test_the_two_readmes_link_each_other_in_their_first_lines():
    english = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:5]
    chinese = (ROOT / "README.zh-CN.md").read_text(encoding="utf-8").splitlines()[:5]
    assert any("(README.zh-CN.md)" in line for line in english)
    assert any("(README.md)" in line for line in chinese)


def test_glossary_has_the_terms_of_the_source_material():
    glossary = (NOTEBOOKS / "GLOSSARY.md").read_text(encoding="utf-8")
    for english, chinese in [("generator", "生成器"), ("discriminator", "判别器"), ("adversarial", "对抗"),
                             ("cross-entropy", "交叉熵"), ("normalization", "归一化"),
                             ("latent vector", "潜在向量"), ("mode collapse", "模式崩溃")]:
        row = next((line for line in glossary.splitlines() if line.startswith(f"| {english}")), "")
        assert chinese in row, english


@pytest.mark.parametrize("doc", [ROOT / "README.md", NOTEBOOKS / "GLOSSARY.md", NOTEBOOKS / "TEACHER_GUIDE.md",
                                 NOTEBOOKS / "SYMPTOMS.md", *LESSONS, ROOT / "README.zh-CN.md",
                                 NOTEBOOKS / "zh" / "TEACHER_GUIDE.md", NOTEBOOKS / "zh" / "SYMPTOMS.md"],
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_point_at_files_that_exist(doc):
    text = markdown_of(doc) if doc.suffix == ".ipynb" else doc.read_text(encoding="utf-8")
    for target in LINK.findall(text):
        if "://" not in target:
            assert (doc.parent / target).exists(), f"{doc.name} links to missing {target}"


def table_rows(path: Path) -> list[list[str]]:
    """The cells of each row of the first markdown table in ``path``, header and rule left out."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines[2:]]


def test_the_chinese_symptoms_table_has_the_english_rows_in_order_and_links_the_chinese_lessons():
    english, chinese = NOTEBOOKS / "SYMPTOMS.md", NOTEBOOKS / "zh" / "SYMPTOMS.md"
    english_rows, chinese_rows = table_rows(english), table_rows(chinese)
    assert len(chinese_rows) == len(english_rows) and len(english_rows) > 10
    assert [len(row) for row in chinese_rows] == [len(row) for row in english_rows]
    # the last column names where each row is taught: the same lessons and sections in both
    assert [row[-1] for row in chinese_rows] == [row[-1] for row in english_rows]
    lessons = [target for target in LINK.findall(chinese.read_text(encoding="utf-8")) if target.endswith(".ipynb")]
    assert lessons and all((NOTEBOOKS / "zh" / target).resolve().parent == (NOTEBOOKS / "zh").resolve()
                           and (NOTEBOOKS / "zh" / target).exists() for target in lessons), lessons
