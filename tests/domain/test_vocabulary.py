"""The documents' Chinese words: the province's own word follows from its name, and each word
of the vocabulary is written once in the source (ledger/domain/vocabulary.py)."""

import ast
from pathlib import Path

import pytest

from ledger.domain import vocabulary
from ledger.domain.enums import DocumentKind, RegionLevel, Role, Stage, VersionStatus

ROOT = Path(__file__).resolve().parents[2]
HOME = ROOT / "ledger" / "domain" / "vocabulary.py"


@pytest.mark.parametrize(("name", "word"), [
    ("宁夏回族自治区", "全区"), ("新疆维吾尔自治区", "全区"), ("某某省", "全省"),
    ("北京市", "全市"), ("香港特别行政区", "全区")])
def test_the_province_word_follows_from_its_name(name, word):
    assert vocabulary.province_word(name) == word


def test_a_name_that_is_no_province_has_no_word():
    with pytest.raises(ValueError):
        vocabulary.province_word("银川")


@pytest.mark.parametrize(("name", "level", "government"), [
    ("西夏区", RegionLevel.COUNTY, "西夏区人民政府"), ("灵武市", RegionLevel.COUNTY, "灵武市人民政府"),
    ("银川市", RegionLevel.PREFECTURE, "银川市人民政府"),
    ("宁夏回族自治区", RegionLevel.PROVINCE, "宁夏回族自治区人民政府"),
    ("宁东能源化工基地管委会", RegionLevel.COMMITTEE, "宁东能源化工基地管委会")])
def test_a_region_is_addressed_by_its_government_full_name(name, level, government):
    assert vocabulary.government_name(name, level) == government


def test_every_kind_level_status_and_stage_has_its_word():
    assert set(vocabulary.TITLES) == set(DocumentKind)
    assert set(vocabulary.LEVELS) == set(RegionLevel)
    assert set(vocabulary.STATUSES) == set(VersionStatus)
    assert set(vocabulary.STAGES) == set(Stage)
    assert set(vocabulary.BODY_NAMES) == {Role.STATISTICS, Role.COMMERCE}
    assert vocabulary.statement_title(2025) == "2025年度招商引资投资分算汇总表"
    assert vocabulary.RECEIPT_NOTICE == "已备案，数据仅用于年度绩效考核"


WORDS = ["仅用于年度绩效考核", "招商引资项目投资转移协议备案表", "备案回执", "分算汇总表",
         "统计局", "商务厅", "省级", "地级", "县级", "管委会", "全区", "全省", "全市", "人民政府",
         "草稿（待对方确认）", "双方已签署", "已报送备案", "已被后续版本替代"]


def _literals(path: Path) -> list[str]:
    """The string constants of a Python file, not its docstrings and comments."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings]


def _templates(path: Path) -> str:
    """A template's text without its {# comments #}."""
    text = path.read_text(encoding="utf-8")
    while "{#" in text:
        start = text.index("{#")
        text = text[:start] + text[text.index("#}", start) + 2:]
    return text


def test_each_word_is_written_once_in_its_home():
    sources = [p for p in (ROOT / "ledger").rglob("*.py")
               if p != HOME and "demo" not in p.name]
    found = {}
    for path in sources:
        for text in _literals(path):
            for word in WORDS:
                if word in text:
                    found.setdefault(word, set()).add(str(path.relative_to(ROOT)))
    for path in [*(ROOT / "reports").glob("*.html"), *(ROOT / "templates").rglob("*.html")]:
        text = _templates(path)
        for word in WORDS:
            if word in text:
                found.setdefault(word, set()).add(str(path.relative_to(ROOT)))
    assert found == {}
    home = "\n".join(_literals(HOME))
    assert [word for word in WORDS if word not in home] == []
