"""`factcheck eval cases` on a tiny case folder we write, and the checks it is built from."""

import json

import pytest
from click.testing import CliRunner

from claims.cli import cli
from claims.errors import ClaimsError
from claims.evaluate import comparison_stated, read_case

ORCHESTRA = """# The Halden Orchestra

Marta Ilves became the fourth principal conductor of the Halden Orchestra on 1 September 2015. Marta Ilves
recorded 12 albums with the orchestra.
"""
HARBOUR = """# Halden harbour

The harbour of Halden was rebuilt in 1998. Its ferry terminal handles 300,000 passengers a year.
"""
ARTICLE = ("Marta Ilves became the fifth principal conductor of the Halden Orchestra. "
           "Marta Ilves recorded 12 albums with the orchestra.\n")
TARGETS = [
    {"article": "article-errors.txt", "keywords": ["fifth"], "sources": ["halden-orchestra.md"],
     "verdicts": ["REFUTED"], "injected": True},
    {"article": "article-errors.txt", "keywords": ["12 ALBUMS"], "sources": ["halden-orchestra.md"],
     "verdicts": ["SUPPORTED"]},
    {"article": "article-errors.txt", "keywords": ["Vienna"], "sources": ["harbour.md"], "verdicts": ["SUPPORTED"]},
]


def write_case(root, targets=TARGETS):
    (root / "sources").mkdir(parents=True)
    (root / "sources" / "halden-orchestra.md").write_text(ORCHESTRA)
    (root / "sources" / "harbour.md").write_text(HARBOUR)
    (root / "article-errors.txt").write_text(ARTICLE)
    (root / "expected.json").write_text(json.dumps({"targets": targets}))
    return root


def test_eval_cases_command(tmp_path, embedder, nlp):
    case = write_case(tmp_path / "orchestra")
    r = CliRunner().invoke(cli, ["eval", "cases", str(case), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    c = out["cases"][0]
    assert c["case"] == "orchestra" and c["sources"] == 2 and c["articles"]["article-errors.txt"]["n_claims"] == 2
    counts = {k: c[k] for k in ("targets", "claims_found", "evidence_top3", "verdict_right", "injected",
                                "injected_refuted")}
    assert counts == {"targets": 3, "claims_found": 2, "evidence_top3": 2, "verdict_right": 2, "injected": 1,
                      "injected_refuted": 1}
    assert c["decided"] == 2 and c["comparison_stated"] == 2 and c["comparison_not_stated"] == []
    fifth, albums, vienna = c["details"]
    assert fifth["verdict"] == "REFUTED" and "fourth" in fifth["rationale"]
    assert fifth["top3_sources"][0] == "halden-orchestra.md"
    assert albums["verdict"] == "SUPPORTED" and albums["found"]  # keywords match case-insensitively
    assert not vienna["found"] and vienna["verdict"] is None
    assert out["overall"]["rates"] == {"claims_found": 0.6667, "evidence_top3": 0.6667, "verdict_right": 0.6667,
                                       "injected_refuted": 1.0, "comparison_stated": 1.0}
    assert out["settings"] == {"stance_verdicts": "hint", "rerank_evidence": "off"} and out["shipped_defaults"]
    text = CliRunner().invoke(cli, ["eval", "cases", str(case)]).output
    assert "injected REFUTED 1/1" in text and "Vienna: expected SUPPORTED, got claim not found" in text


@pytest.mark.parametrize("change, message", [
    ({"verdicts": ["MAYBE"]}, "verdicts outside"),
    ({"article": "article-other.txt"}, "is not one of article-errors.txt"),
    ({"sources": ["missing.md"]}, "no such file under sources/: missing.md"),
    ({"keywords": []}, '"keywords" must be a non-empty list'),
])
def test_bad_expected_json(tmp_path, change, message):
    case = write_case(tmp_path / "bad", [{**TARGETS[0], **change}])
    with pytest.raises(ClaimsError, match=message):
        read_case(case)
    r = CliRunner().invoke(cli, ["eval", "cases", str(case)])
    assert r.exit_code == 1 and message in r.output


def test_missing_parts(tmp_path):
    with pytest.raises(ClaimsError, match="no such folder"):
        read_case(tmp_path / "nope")
    (tmp_path / "sources").mkdir()
    with pytest.raises(ClaimsError, match="no expected.json"):
        read_case(tmp_path)


PASSAGE = "António Guterres is the ninth Secretary-General. He took up the post on 1 January 2017."


@pytest.mark.parametrize("rationale, stated", [
    # the rules: the claim's value and the passage's, side by side
    (f'Claim says "tenth"; "{PASSAGE}" (UN): ninth differs from tenth.', True),
    # agreement: the claim's own value quoted is the claim's even though the passage has it too
    ('Claim says "1 January 2017"; "He took up the post on 1 January 2017." (UN): 1 January 2017 is 1 January 2017.',
     True),
    # the stance model only quotes the passage: no comparison stated, whatever values it holds
    (f'Read as supporting (0.91): "{PASSAGE}" (UN).', False),
    (f'Read as contradicting (0.70): "{PASSAGE[:30]}…" (UN).', False),
    # values of different kinds are no comparison
    ('Claim says "tenth"; the post was taken on 1 January 2017.', False),
])
def test_comparison_stated(rationale, stated):
    claim = [("ordinal", "tenth"), ("date", "1 January 2017"), ("entity", "Guterres")]
    passage = [("ordinal", "ninth"), ("date", "1 January 2017"), ("entity", "António Guterres")]
    assert comparison_stated(rationale, claim, PASSAGE, passage) is stated
