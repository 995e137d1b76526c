"""The relevance set: judged queries over the fixture corpus, scored with nDCG@10 and recall@10.

Each judgement lists catalog ids that must appear in the top 3 (``top3``) or top 10 (``top10``)
entities (an entity counts when any of its holdings has the id). The scores are printed (run pytest
with ``-s``) and written to ``test-artifacts/relevance.json``; the test fails when any judgement fails.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from indexer.search.service import SearchService
from schemas.search import EntityGroup, SearchQuery

# query, top3, top10
JUDGEMENTS: list[tuple[str, list[str], list[str]]] = [
    ("HeLa", ["RCB0007"], []),
    ("HeLa細胞", ["RCB0007"], []),
    ("hela cells", ["RCB0007"], []),
    ("ＨｅＬａ", ["RCB0007"], []),
    ("rcb 7", ["RCB0007"], []),
    ("JCRB9004", ["JCRB9004"], []),
    ("CVCL_0030", ["RCB0007"], []),
    ("HEK293", ["RCB1637"], []),
    ("293細胞", ["RCB1637"], []),
    ("MCF7", ["RCB1904"], []),
    ("乳癌 細胞株", ["RCB1904"], []),
    ("breast cancer cell line", ["RCB1904"], []),
    ("肝細胞癌", ["JCRB0403"], ["TBB-COL-0001"]),
    ("hepatocellular carcinoma", ["JCRB0403"], ["TBB-COL-0001"]),
    ("白血病", [], ["RCB0806", "RCB0027", "RCB0041", "RCB0206"]),
    ("leukaemia cell line", [], ["RCB0027", "RCB0041"]),
    ("k562", ["RCB0027"], []),
    ("Jurkatt", ["RCB0806"], []),
    ("HepG3", ["RCB1886"], []),
    ("マウス 糖尿病", [], ["RBRC00004", "RBRC00006", "RBRC00007", "RBRC00008"]),
    ("diabetic mouse", [], ["RBRC00004", "RBRC00006", "RBRC00007", "RBRC00008"]),
    ("糖尿病モデルマウス", [], ["RBRC00004", "RBRC00007"]),
    ("db/db", ["RBRC00004"], []),
    ("ob/ob mice", ["RBRC00005"], []),
    ("肥満", ["RBRC00005"], ["RBRC00004"]),
    ("C57BL/6J", ["RBRC00001"], []),
    ("rbrc 1", ["RBRC00001"], []),
    ("RBRC-00004", ["RBRC00004"], []),
    ("Alzheimer mouse", ["RBRC00010"], []),
    ("アルツハイマー病", ["RBRC00010"], ["TBB-COL-0006"]),
    ("Apoe knockout", ["RBRC00009"], []),
    ("高血圧 ラット", ["RBRC00902"], []),
    ("diabetic rat", [], ["RBRC00903", "RBRC00904"]),
    ("免疫不全マウス", ["RBRC00012"], []),
    ("大腸菌", [], ["JCM"]),
    ("Escherichia coli", [], ["JCM"]),
    ("E. coli", [], ["JCM"]),
    ("枯草菌", [], ["JCM"]),
    ("ミドリムシ", [], ["NIES-"]),
    ("Euglena", [], ["NIES-"]),
    ("cyanobacteria Synechocystis", [], ["NIES-"]),
    ("コシヒカリ", [], []),
    ("Koshihikari", ["JP 10010"], []),
    ("rice Nipponbare", ["JP 10000"], []),
    ("イネ 日本晴", [], []),
    ("シロイヌナズナ FLC", [], ["PST00021"]),
    ("Arabidopsis phyB mutant", ["PST00001"], []),
    ("甘草", ["MPRC00001"], []),
    ("licorice", ["MPRC00001"], []),
    ("TP53 cDNA", ["RDB00001"], []),
    ("ヒト インスリン 遺伝子", [], []),
    ("serum breast cancer collection", ["TBB-COL-0002"], []),
    ("アカゲザル 血清", ["TPRC00001"], []),
    ("primate liver", ["TPRC00003"], []),
    ("Vero", ["RCB0001"], []),
    ("PC12 rat", ["RCB0009"], []),
]


def _ids(group: EntityGroup) -> set[str]:
    return {h.catalog_id for h in group.holdings} | {group.resource["catalog_id"]}


def _hit(group: EntityGroup, wanted: str) -> bool:
    # A judgement ending in a prefix ("JCM", "NIES-") accepts any holding of that scheme.
    return any(i == wanted or (not wanted[-1].isdigit() and i.startswith(wanted)) for i in _ids(group))


def _ndcg(groups: list[EntityGroup], relevant: list[str]) -> float:
    if not relevant:
        return 1.0
    gains = [1.0 if any(_hit(g, r) for r in relevant) else 0.0 for g in groups[:10]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal_hits = min(len(relevant) if all(r[-1].isdigit() for r in relevant) else 10, 10)
    idcg = sum(1 / math.log2(i + 2) for i in range(ideal_hits))
    return dcg / idcg if idcg else 1.0


async def test_relevance_set(service: SearchService) -> None:
    assert len(JUDGEMENTS) >= 40
    failures: list[str] = []
    ndcgs: list[float] = []
    recalls: list[float] = []
    for q, top3, top10 in JUDGEMENTS:
        groups = (await service.search(SearchQuery(q=q, page_size=10))).groups
        for wanted in top3:
            if not any(_hit(g, wanted) for g in groups[:3]):
                failures.append(f"{q!r}: {wanted} not in top 3 ({[g.title for g in groups[:3]]})")
        for wanted in top10:
            if not any(_hit(g, wanted) for g in groups[:10]):
                failures.append(f"{q!r}: {wanted} not in top 10")
        relevant = top3 + top10
        found = sum(1 for r in relevant if any(_hit(g, r) for g in groups[:10]))
        recalls.append(found / len(relevant) if relevant else 1.0)
        ndcgs.append(_ndcg(groups, relevant))
        if not relevant and not groups:
            failures.append(f"{q!r}: no results at all")
    summary = {"queries": len(JUDGEMENTS), "ndcg@10": round(sum(ndcgs) / len(ndcgs), 4),
               "recall@10": round(sum(recalls) / len(recalls), 4), "failures": failures}
    out = Path("test-artifacts")
    out.mkdir(exist_ok=True)
    (out / "relevance.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2))
    print(f"\nrelevance: {summary['queries']} queries, nDCG@10={summary['ndcg@10']}, recall@10={summary['recall@10']}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("q", ["コシヒカリ", "イネ 日本晴", "ヒト インスリン 遺伝子"])
async def test_queries_without_judgement_still_answer(service: SearchService, q: str) -> None:
    assert (await service.search(SearchQuery(q=q))).groups
