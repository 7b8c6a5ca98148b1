"""Evaluation of the claim pipeline against labelled data (files and folders passed in): its parts
on public data, and the whole of `check` on case folders (`evaluate_cases`, issue #14).

A case folder holds `sources/` (the reference files), `article-*.txt` (articles to check) and
`expected.json`: {"targets": [{"article", "keywords", "sources", "verdicts", "injected"?, "note"?}]},
described in `evaluate_cases`.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Sequence

import numpy as np

from claims.errors import ClaimsError

__all__ = ["prf", "read_jsonl", "evaluate_checkworthiness", "classification_report", "evaluate_verification",
           "read_case", "evaluate_cases", "comparison_stated", "CASE_DEFINITIONS", "evaluate_rewrites"]


def prf(labels: Sequence[int], scores: Sequence[float], threshold: float) -> dict:
    """Precision, recall and F1 of the positive class at `threshold`, with the counts."""
    y = np.asarray(labels, dtype=int)
    pred = np.asarray(scores, dtype=float) >= threshold
    tp = int((pred & (y == 1)).sum())
    fp = int((pred & (y == 0)).sum())
    fn = int((~pred & (y == 1)).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "tp": tp, "fp": fp, "fn": fn}


def read_jsonl(path: str | Path, required: Sequence[str]) -> list[dict]:
    """Rows of a JSON-lines file, each checked for the `required` keys; a clear error otherwise."""
    p = Path(path)
    if not p.is_file():
        raise ClaimsError(f"no such file: {p}")
    rows = []
    with p.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                raise ClaimsError(f"{p}:{n} is not valid JSON") from None
            missing = [k for k in required if k not in row]
            if missing:
                raise ClaimsError(f"{p}:{n} lacks {', '.join(missing)}")
            rows.append(row)
    if not rows:
        raise ClaimsError(f"{p} has no rows")
    return rows


def evaluate_checkworthiness(path: str | Path, nlp=None, scorer="auto", threshold: float | None = None) -> dict:
    """Score every sentence of a check-worthiness file ({"text", "label"} per line) with the model
    and with the rules alone; precision, recall and F1 of the positive class for both."""
    from claims.extract import DEFAULT_THRESHOLD, score_texts

    rows = read_jsonl(path, ("text", "label"))
    texts = [r["text"] for r in rows]
    labels = [int(r["label"]) for r in rows]
    out: dict = {"file": str(path), "n": len(rows), "positives": sum(labels)}
    if scorer == "auto":
        from claims.checkworthiness import get_checkworthiness_model

        scorer = get_checkworthiness_model()
    if scorer is not None:
        t = time.perf_counter()
        scores = score_texts(texts, nlp, scorer=scorer)
        took = time.perf_counter() - t
        thr = scorer.threshold if threshold is None else threshold
        out["model"] = {**prf(labels, scores, thr), "threshold": thr, "seconds": round(took, 2),
                        "sentences_per_s": round(len(texts) / took, 1)}
    t = time.perf_counter()
    rule_scores = score_texts(texts, nlp, scorer=None)
    took = time.perf_counter() - t
    thr = DEFAULT_THRESHOLD if threshold is None or scorer is not None else threshold
    out["rules"] = {**prf(labels, rule_scores, thr), "threshold": thr, "seconds": round(took, 2),
                    "sentences_per_s": round(len(texts) / took, 1)}
    return out


def classification_report(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict:
    """Accuracy, macro-F1 over `labels`, per-label precision/recall/F1/support and the confusion matrix."""
    n = len(gold)
    per = {}
    for lab in labels:
        tp = sum(1 for g, p in zip(gold, pred) if g == lab and p == lab)
        fp = sum(1 for g, p in zip(gold, pred) if g != lab and p == lab)
        fn = sum(1 for g, p in zip(gold, pred) if g == lab and p != lab)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per[lab] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                    "support": sum(1 for g in gold if g == lab)}
    confusion = {g: {p: sum(1 for a, b in zip(gold, pred) if a == g and b == p) for p in labels} for g in labels}
    return {"accuracy": round(sum(1 for g, p in zip(gold, pred) if g == p) / n, 4) if n else 0.0,
            "macro_f1": round(sum(v["f1"] for v in per.values()) / len(per), 4) if per else 0.0,
            "per_label": per, "confusion": confusion}


def verification_inputs(rows: list[dict], nlp) -> tuple[list, list]:
    """Claims (read as `check` reads a claim) and their given evidence as search hits, for rows of a
    verification file; each row's evidence sources are numbered apart."""
    from claims.extract import Claim, _sentence_analysis
    from sources.search import Hit

    feats = [_sentence_analysis(doc[:], 0)[3] for doc in nlp.pipe((r["claim"] for r in rows), batch_size=128)]
    claims = [Claim(r["claim"], r["claim"], 0, len(r["claim"]), 0, len(r["claim"]), 1.0, "claim",
                    f.quantities, f.entities) for r, f in zip(rows, feats)]
    evidence: list[list] = []
    n_items = 0
    for r in rows:
        sources: dict[str, int] = {}
        hits = []
        for j, e in enumerate(r["evidence"]):
            src = e.get("source") or f"evidence {j + 1}"
            sid = sources.setdefault(src, len(sources) + 1)
            hits.append(Hit(n_items, sid, src, src, None, e["text"], 0, len(e["text"]), 0.0, None, None, None, None))
            n_items += 1
        evidence.append(hits)
    return claims, evidence


def evaluate_verification(path: str | Path, nlp=None, stance_model_file: str | Path | None = None,
                          use_stance: bool = True, stance_mode: str | None = None) -> dict:
    """Run every claim of a verification file ({"claim", "label", "evidence": [{"text", "source"?}]})
    with its given evidence through the verdict function `check` and the app use
    (`claims.pipeline.suggest_for`), with the shipped default settings unless `stance_mode` says
    otherwise. The headline report is what a user would see; beside it a majority-class baseline,
    each component alone (the quantity rules; the stance model's own verdicts; the rules then the
    model, i.e. `stance_verdicts` = suggest) and how often the quantity rules are right when they
    answer."""
    from claims.extract import get_nlp
    from claims.pipeline import suggest_for
    from claims.store import SETTINGS
    from claims.verdict import LABELS, combine

    nlp = nlp or get_nlp()
    mode = stance_mode or SETTINGS["stance_verdicts"][0]
    rows = read_jsonl(path, ("claim", "label", "evidence"))
    bad = sorted({r["label"] for r in rows} - set(LABELS))
    if bad:
        raise ClaimsError(f"{path} has labels outside {', '.join(LABELS)}: {', '.join(bad)}")
    stance = None
    if use_stance:
        from claims.stance import get_stance_model

        stance = get_stance_model(model_file=stance_model_file)
        if stance is None and stance_model_file:
            raise ClaimsError(f"no stance model at {stance_model_file} (with its .json beside it)")
    t = time.perf_counter()
    claims, evidence = verification_inputs(rows, nlp)
    parts: dict = {}
    verdicts = suggest_for(claims, evidence, nlp, stance=stance, stance_mode=mode, components=parts)
    pred = [v.label for v in verdicts]
    rules_pred = [v.label for v in parts["rules"]]
    stance_pred = [v.label for v in parts["stance"]] if parts["stance"] is not None else None
    then_stance = ([combine(rv, sv, "suggest").label for rv, sv in zip(parts["rules"], parts["stance"])]
                   if parts["stance"] is not None else None)
    took = time.perf_counter() - t
    gold = [r["label"] for r in rows]
    labels = [lab for lab in LABELS if lab in set(gold)]
    majority = max(labels, key=gold.count)
    numeric = [i for i, f in enumerate(claims) if f.quantities]
    answered = [i for i in numeric if rules_pred[i] != "NOT_ENOUGH_EVIDENCE"]
    right = [i for i in answered if rules_pred[i] == gold[i]]

    def brief(p):
        rep = classification_report(gold, p, labels)
        return {"accuracy": rep["accuracy"], "macro_f1": rep["macro_f1"]}

    shipped = mode == SETTINGS["stance_verdicts"][0]
    out = {
        "file": str(path), "n": len(rows), "labels": labels,
        "method": (f"suggest_for, stance_verdicts={mode}" + (" (shipped default)" if shipped else "") + (
            ": quantity rules" if stance is None else
            ": quantity rules decide, the stance model's reading is a hint in the reason" if mode == "hint" else
            ": quantity rules, else the stance model's verdict")),
        "headline": ("what a user sees: `check` with the shipped default settings" if shipped
                     else f"`check` with stance_verdicts={mode} (not the shipped default)"),
        "settings": {"stance_verdicts": mode, "stance_model": stance is not None},
        **classification_report(gold, pred, labels),
        "majority_baseline": {"label": majority, **brief([majority] * len(gold))},
        "rules_only": brief(rules_pred),
        "stance_only": brief(stance_pred) if stance_pred is not None else None,
        "components": {
            "rules_only": {"what": "the quantity rules alone (NOT_ENOUGH_EVIDENCE where they are silent)",
                           **classification_report(gold, rules_pred, labels)},
            "stance_only": ({"what": "the stance model's own verdict on every claim",
                             **classification_report(gold, stance_pred, labels)} if stance_pred is not None else None),
            "rules_then_stance": ({"what": "the rules where they answer, else the stance model's verdict "
                                           "(stance_verdicts = suggest)",
                                   **classification_report(gold, then_stance, labels)}
                                  if then_stance is not None else None),
        },
        "numeric_claims": {"n": len(numeric), "answered": len(answered), "right": len(right),
                           "precision_when_answering": round(len(right) / len(answered), 4) if answered else None},
        "seconds": round(took, 2), "claims_per_s": round(len(rows) / took, 1) if took else None,
    }
    out.update(_selective_report(path, gold, pred, parts, stance))
    if stance is not None:
        out["stance_model"] = {"file": str(stance.path), "trained_on": stance.trained_on,
                               "trained_on_this_file": Path(path).name in stance.trained_on}
    return out


def _selective_report(path, gold: list[str], pred: list[str], parts: dict, stance) -> dict:
    """`selective`: what is suggested at the shipped operating point (answered, coverage = share of
    all claims, precision); `risk_coverage`: precision of the most probable suggestions of the
    rules-then-stance-model path by the shipped calibration, at growing coverage."""
    from claims.calibrate import load_calibration, operating_point, risk_coverage
    from claims.verdict import combine

    n = len(gold)
    cal = load_calibration()
    sel = {**operating_point([p != "NOT_ENOUGH_EVIDENCE" for p in pred], [p == g for p, g in zip(pred, gold)], n),
           "operating_point": "the shipped settings and calibration (suggest_min_probability = auto)",
           "calibration_fitted_on_this_file": cal is not None and Path(path).stem in cal.fitted_on}
    raw = (parts["rules"] if parts.get("stance") is None else
           [combine(r, s_, "suggest") for r, s_ in zip(parts["rules"], parts["stance"])])
    raw_answered = [v.label != "NOT_ENOUGH_EVIDENCE" for v in raw]
    probs = [cal.probability(f"{v.method}:{v.label}", v.confidence) if cal is not None and a else None
             for v, a in zip(raw, raw_answered)]
    correct = [v.label == g for v, g in zip(raw, gold)]
    return {"selective": sel, "risk_coverage": {
        "what": "rules, else the stance model (stance_verdicts = suggest), most probable first by the shipped "
                "calibration" + (" (fitted on this file too: not a held-out figure; see "
                                 "bench/calibrate_verdicts.py for leave-one-set-out)" if sel["calibration_fitted_on_this_file"]
                                 else ""),
        "rows": risk_coverage(probs, raw_answered, correct, n)}}


CASE_DEFINITIONS = {
    "claims_found": "a claim of the target's article whose text contains every keyword (case-insensitive); "
                    "the first such claim is the target's",
    "evidence_top3": "one of that claim's top-3 evidence passages comes from a file the target lists",
    "verdict_right": "the suggested verdict (shipped default settings) is one of the target's verdicts",
    "injected_refuted": "an injected error's suggestion is REFUTED",
    "comparison_stated": "of every SUPPORTED or REFUTED suggestion (all claims of the case's articles), the "
                         "rationale names a value of the claim outside its quotes of the cited passage and a "
                         "value of the cited passage of the same kind (a number, a date or year, a duration, "
                         "a named entity...)",
}


def read_case(folder: str | Path) -> dict:
    """A case folder's expected.json, checked against the folder: every target names an
    article-*.txt of the folder, keywords, source files under sources/ and verdict labels."""
    from claims.verdict import LABELS

    root = Path(folder)
    if not root.is_dir():
        raise ClaimsError(f"no such folder: {root}")
    if not (root / "sources").is_dir():
        raise ClaimsError(f"{root} has no sources/ folder")
    try:
        expected = json.loads((root / "expected.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ClaimsError(f"{root} has no expected.json") from None
    except json.JSONDecodeError as exc:
        raise ClaimsError(f"{root / 'expected.json'} is not valid JSON ({exc.msg}, line {exc.lineno})") from None
    targets = expected.get("targets") if isinstance(expected, dict) else None
    if not isinstance(targets, list) or not targets:
        raise ClaimsError(f"{root / 'expected.json'} needs a non-empty \"targets\" list")
    articles = sorted(p.name for p in root.glob("article-*.txt"))
    files = {p.name for p in (root / "sources").iterdir() if p.is_file()}
    for n, t in enumerate(targets, 1):
        where = f"{root / 'expected.json'} target {n}"
        if not isinstance(t, dict):
            raise ClaimsError(f"{where} is not an object")
        if t.get("article") not in articles:
            raise ClaimsError(f"{where}: article {t.get('article')!r} is not one of {', '.join(articles) or 'none'}")
        for key in ("keywords", "sources", "verdicts"):
            if not isinstance(t.get(key), list) or not t[key] or not all(isinstance(x, str) for x in t[key]):
                raise ClaimsError(f"{where}: \"{key}\" must be a non-empty list of strings")
        if set(t["sources"]) - files:
            raise ClaimsError(f"{where}: no such file under sources/: {', '.join(sorted(set(t['sources']) - files))}")
        if set(t["verdicts"]) - set(LABELS):
            raise ClaimsError(f"{where}: verdicts outside {', '.join(LABELS)}: "
                              f"{', '.join(sorted(set(t['verdicts']) - set(LABELS)))}")
    return {"folder": root, "name": root.name, "targets": targets, "articles": articles,
            "sources": sorted(root / "sources" / f for f in files)}


def _spans(value: str, text: str) -> list[tuple[int, int]]:
    v = value.strip().lower()
    if not v:
        return []
    return [m.span() for m in re.finditer(r"(?<!\w)" + re.escape(v) + r"(?!\w)", text.lower())]


def _values(quantities, entities) -> list[tuple[str, str]]:
    kind = {"year": "date"}
    return ([(kind.get(q.kind, q.kind), q.text) for q in quantities] + [("entity", e) for e in entities])


def comparison_stated(rationale: str, claim_values: list[tuple[str, str]], passage_text: str,
                      passage_values: list[tuple[str, str]]) -> bool:
    """Whether a rationale states a comparison: a (kind, text) value of the claim appears in it
    outside its quotes of the passage, and elsewhere in it a value of the passage of the same kind.
    A rationale that only quotes the passage ("Read as supporting: ...") states none."""
    flat = " ".join(passage_text.split()).lower()

    def from_passage(m) -> bool:
        pieces = [" ".join(x.split()).lower() for x in m.group(1).split("…")]
        return any(pieces) and all(x in flat for x in pieces if x)

    own = {" ".join(v.split()).lower() for _, v in claim_values}
    # a quote of the claim's own value ("Claim says \"July 2015\"") stays, even when the passage
    # has it too; other quotes of the passage are blanked, keeping every offset
    outside = re.sub(r'"([^"]*)"', lambda m: m.group(0) if " ".join(m.group(1).split()).lower() in own
                     else " " * len(m.group(0)) if from_passage(m) else m.group(0), rationale)
    said = [(k, sp) for k, v in claim_values for sp in _spans(v, outside)]
    shown = [(k, sp) for k, v in passage_values for sp in _spans(v, rationale)]
    return any(kc == kp and (c[1] <= p[0] or p[1] <= c[0]) for kc, c in said for kp, p in shown)


def evaluate_cases(folders: Sequence[str | Path], embedder, nlp=None, progress=None) -> dict:
    """End-to-end evaluation on case folders (issue #14): for each folder, its sources/ files go
    into a temporary library with the shipped default settings, each article-*.txt goes through
    `check_article` (as `factcheck check` and the app run it), and every target of expected.json is
    scored. Per case and overall: targets, claims found, evidence in the top 3, verdicts right,
    injected errors REFUTED, and SUPPORTED/REFUTED suggestions whose rationale states the
    comparison (see CASE_DEFINITIONS).

    expected.json: {"targets": [{"article": "article-errors.txt", "keywords": ["Luns", "13 years"],
    "sources": ["nato-history.md"], "verdicts": ["REFUTED"], "injected": true, "note": "..."}, ...]}
    — `article` a file of the folder, `keywords` identify the claim, `sources` the files under
    sources/ that hold its evidence, `verdicts` the acceptable labels, `injected` (default false)
    marks an error written into the article on purpose, `note` is free text.

    `progress(done, total)` is called after each case."""
    import tempfile

    from claims.article import load_article
    from claims.extract import analyze_passages, get_nlp
    from claims.pipeline import check_article
    from claims.store import SETTINGS, get_settings, open_db
    from sources.library import add_documents, read_source

    nlp = nlp or get_nlp()
    cases = [read_case(f) for f in folders]
    if not cases:
        raise ClaimsError("no case folders given")
    t0 = time.perf_counter()
    reports = []
    for done, case in enumerate(cases, 1):
        with tempfile.TemporaryDirectory(prefix="factcheck-case-") as tmp:
            db = open_db(Path(tmp) / "case.db")
            try:
                added = add_documents(db, [read_source(str(p)) for p in case["sources"]], embedder)
                checked = {name: check_article(db, load_article(str(case["folder"] / name))[0], embedder, nlp=nlp)
                           for name in case["articles"]}
                settings = get_settings(db)
            finally:
                db.close()
        reports.append(_score_case(case, checked, added, nlp, analyze_passages))
        if progress:
            progress(done, len(cases))
    overall = _totals(reports)
    return {"cases": reports, "overall": overall, "n_cases": len(reports),
            "settings": {k: settings[k] for k in ("stance_verdicts", "rerank_evidence")},
            "shipped_defaults": all(settings[k] == SETTINGS[k][0] for k in ("stance_verdicts", "rerank_evidence")),
            "definitions": CASE_DEFINITIONS, "seconds": round(time.perf_counter() - t0, 2)}


COUNTS = ("targets", "claims_found", "evidence_top3", "verdict_right", "injected", "injected_refuted",
          "decided", "comparison_stated")


def _totals(reports: list[dict]) -> dict:
    tot = {k: sum(r[k] for r in reports) for k in COUNTS}
    tot["rates"] = _rates(tot)
    return tot


def _rates(c: dict) -> dict:
    def rate(a, b):
        return round(c[a] / c[b], 4) if c[b] else None

    return {"claims_found": rate("claims_found", "targets"), "evidence_top3": rate("evidence_top3", "targets"),
            "verdict_right": rate("verdict_right", "targets"), "injected_refuted": rate("injected_refuted", "injected"),
            "comparison_stated": rate("comparison_stated", "decided")}


def _score_case(case: dict, checked: dict, added, nlp, analyze_passages) -> dict:
    cited = {}
    for r in checked.values():
        for hits, v in zip(r.evidence, r.verdicts):
            hit = next((h for h in hits if h.passage_id == v.passage_id), None)
            if v.label in ("SUPPORTED", "REFUTED") and hit is not None:
                cited[hit.passage_id] = {"passage_id": hit.passage_id, "source_id": hit.source_id,
                                         "source_title": hit.source_title, "text": hit.text}
    facts = analyze_passages(list(cited.values()), nlp)
    decided, unstated = 0, []
    for name, r in checked.items():
        for c, v in zip(r.claims, r.verdicts):
            if v.label not in ("SUPPORTED", "REFUTED"):
                continue
            decided += 1
            f = facts.get(v.passage_id)
            if f is None or not comparison_stated(v.rationale, _values(c.quantities, c.entities), f.text,
                                                  _values(f.quantities, f.entities)):
                unstated.append({"article": name, "claim": c.text, "verdict": v.label, "rationale": v.rationale})
    details = []
    for t in case["targets"]:
        r = checked[t["article"]]
        keys = [k.lower() for k in t["keywords"]]
        found = [i for i, c in enumerate(r.claims) if all(k in c.text.lower() for k in keys)]
        d = {"article": t["article"], "keywords": t["keywords"], "expected": t["verdicts"],
             "injected": bool(t.get("injected")), "note": t.get("note", ""), "found": bool(found),
             "matching_claims": len(found), "claim": None, "verdict": None, "rationale": None,
             "top3_sources": [], "evidence_top3": False, "verdict_right": False}
        if found:
            i = found[0]
            v = r.verdicts[i]
            top3 = [Path(h.source).name for h in r.evidence[i][:3]]
            d.update(claim=r.claims[i].text, verdict=v.label, confidence=v.confidence, rationale=v.rationale,
                     top3_sources=top3, evidence_top3=bool(set(top3) & set(t["sources"])),
                     verdict_right=v.label in t["verdicts"])
        details.append(d)
    rep = {"case": case["name"], "folder": str(case["folder"]),
           "sources": len(added),
           "articles": {n: {"n_claims": len(r.claims), "claims": [{"text": c.text, "verdict": v.label}
                                                                for c, v in zip(r.claims, r.verdicts)]}
                        for n, r in checked.items()},
           "targets": len(details), "claims_found": sum(d["found"] for d in details),
           "evidence_top3": sum(d["evidence_top3"] for d in details),
           "verdict_right": sum(d["verdict_right"] for d in details),
           "injected": sum(d["injected"] for d in details),
           "injected_refuted": sum(d["injected"] and d["verdict"] == "REFUTED" for d in details),
           "decided": decided, "comparison_stated": decided - len(unstated)}
    rep["rates"] = _rates(rep)
    rep["details"] = details
    rep["comparison_not_stated"] = unstated
    return rep


def _rewrite_norm(text: str) -> str:
    return " ".join(text.replace("’", "'").split()).rstrip(".").strip().lower()


def _rewrite_words(text: str) -> set[str]:
    return set(re.findall(r"[\w-]+", re.sub(r"'s\b", "", text.replace("’", "'").lower())))


def evaluate_rewrites(rows: Sequence[dict], nlp=None) -> dict:
    """The self-contained rewrites of a table of sentences (issue #15): each row has `context`
    (the text before), `sentence`, `expected` (the claims the sentence should give, rewritten where
    a pronoun or description has one referent) and optionally `also_fine` (other acceptable sets).

    Each sentence's claims (`extract_claims` of context + sentence, every claim kept) are:
    right (the expected set, or an acceptable one); a meaning change (a claim holds a word that
    is neither in the sentence nor in any acceptable claim: an entity put in the wrong place);
    else unsure (left as written, or split otherwise, no wrong word added)."""
    from claims.extract import extract_claims, get_nlp

    nlp = nlp or get_nlp()
    counts = {"right": 0, "meaning_changed": 0, "unsure": 0}
    details = []
    for row in rows:
        context = row.get("context") or ""
        text = f"{context} {row['sentence']}".strip()
        start = len(text) - len(row["sentence"])
        got = [c.text for c in extract_claims(text, nlp, threshold=0.0, scorer=None) if c.sentence_start >= start]
        options = [row["expected"], *row.get("also_fine", [])]
        allowed = _rewrite_words(row["sentence"]).union(*(_rewrite_words(c) for o in options for c in o))
        if {_rewrite_norm(g) for g in got} in [{_rewrite_norm(c) for c in o} for o in options]:
            outcome = "right"
        elif any(_rewrite_words(g) - allowed for g in got):
            outcome = "meaning_changed"
        else:
            outcome = "unsure"
        counts[outcome] += 1
        details.append({"kind": row.get("kind"), "sentence": row["sentence"], "got": got,
                        "expected": row["expected"], "outcome": outcome})
    n = len(rows)
    return {"n": n, **counts, "right_rate": round(counts["right"] / n, 4) if n else None,
            "meaning_change_rate": round(counts["meaning_changed"] / n, 4) if n else None, "details": details}
