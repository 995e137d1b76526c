"""Throughput of :func:`analyze_for_index` on realistic mixed Japanese/English record texts.

Not a test. Run: ``.venv/bin/python -m indexer.analysis.bench_analysis [seconds]``.

Texts are ~300 characters, assembled from catalogue-like sentences with random identifiers, so the
term caches see a realistic mix of repeated vocabulary and never-seen tokens.
"""

from __future__ import annotations

import random
import sys
import time

from indexer.analysis.analyze import analyze_for_index

SENTENCES = [
    "ヒト子宮頸癌由来の細胞株 HeLa ({id})。1951年に樹立され、世界中で広く用いられている。",
    "糖尿病モデルマウス C57BL/6J-Lepr<db> ({id}) を用いた研究にも利用される。",
    "Human cervical adenocarcinoma cell line, HPV-18 positive; grows as adherent epithelial cells.",
    "Maintained in MEM + 10% FBS. Tested negative for mycoplasma; STR profile verified ({id}).",
    "ｼﾛｲﾇﾅｽﾞﾅ（Ａｒａｂｉｄｏｐｓｉｓ ｔｈａｌｉａｎａ）の変異体種子、系統番号 {id}。",
    "ノックアウトマウスの凍結胚および精子を提供します。遺伝子型: {gene}-/-。",
    "Knockout mice deficient in {gene}; backcrossed to C57BL/6N for 10 generations.",
    "大腸菌 Escherichia coli K-12 株由来のプラスミド pUC19-{gene} を含む。",
    "cDNA clone of human {gene} in pDONR221 vector, sequence verified, ID {id}.",
    "肝細胞癌患者由来の血清および組織サンプル（倫理審査承認済み、{id}）。",
    "Rice (Oryza sativa L. cv. Nipponbare) mutant line {id} with altered flowering time.",
    "シアノバクテリア Synechocystis sp. PCC 6803 の形質転換株。&amp; 光合成研究用。",
]
GENES = ["Lepr", "Trp53", "Apoe", "Ins2", "Pax6", "Sox2", "Nanog", "Myc", "Kras", "Brca1", "Tp53", "Gfp"]


def make_docs(n: int, seed: int = 7) -> list[str]:
    """``n`` texts of about 300 characters each, deterministic for a given ``seed``."""
    rng = random.Random(seed)
    docs: list[str] = []
    for _ in range(n):
        parts: list[str] = []
        while sum(map(len, parts)) < 280:
            template = rng.choice(SENTENCES)
            ident = f"{rng.choice(['RCB', 'RBRC', 'JCM', 'pda', 'AT'])}{rng.randrange(100000):05d}"
            parts.append(template.format(id=ident, gene=rng.choice(GENES)))
        docs.append(" ".join(parts)[:300])
    return docs


def run(seconds: float = 5.0) -> tuple[float, float]:
    """Analyse generated texts for ``seconds``; return (docs per second, mean characters per doc)."""
    docs = make_docs(20_000)
    analyze_for_index(docs[0])  # build the tokenizer outside the timed loop
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        for doc in docs[count % len(docs) : count % len(docs) + 100]:
            analyze_for_index(doc)
        count += 100
    elapsed = time.perf_counter() - start
    return count / elapsed, sum(map(len, docs)) / len(docs)


def main() -> None:
    """Print the throughput figure."""
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    rate, mean_chars = run(seconds)
    print(f"analyze_for_index: {rate:,.0f} docs/s, single thread, mean {mean_chars:.0f} chars/doc")


if __name__ == "__main__":
    main()
