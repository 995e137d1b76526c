"""Builders of RIKEN BRC records: mouse strains, cell lines, DNA clones, JCM microbes, plant lines."""

from __future__ import annotations

import random

from demo.generator import vocab_animals as animals
from demo.generator import vocab_cells as cells
from demo.generator import vocab_medical as med
from demo.generator import vocab_organisms as orgs
from demo.generator.records import Record, availability, catalog_number, depositor, registered_date

#: Number of fixed anchor records at the start of each RIKEN kind.
ANCHORS: dict[str, int] = {
    "mouse": len(animals.MOUSE_MODELS),
    "cell": len(cells.SHARED_CELL_LINES),
    "dna": 0,
    "microbe": len(orgs.SHARED_MICROBES),
    "plant": 0,
}


mouse_id = catalog_number("RBRC", 1, 5, "The RIKEN mouse catalog number (RBRC00001 ...).")
cell_id = catalog_number("RCB", 1, 4, "The RIKEN cell catalog number (RCB0001 ...).")
dna_id = catalog_number("RDB", 1, 5, "The RIKEN DNA bank catalog number (RDB00001 ...).")
microbe_id = catalog_number("JCM ", 1, 0, "The JCM catalog number (``JCM 1`` ...).")
plant_id = catalog_number("pst", 1, 5, "The RIKEN plant line number (pst00001 ...).")


def build_mouse(rng: random.Random, local: int) -> Record:
    """Build the ``local``-th RIKEN mouse strain."""
    if local < len(animals.MOUSE_MODELS):
        model = animals.MOUSE_MODELS[local]
        symbol, common, genotype, genes, disease = model.symbol, model.common, model.genotype, model.genes, model.disease
        summary_en, summary_ja = model.summary_en, model.summary_ja
    else:
        gene = rng.choice(animals.MOUSE_GENES)
        lab = rng.choice(animals.LAB_CODES)
        n = rng.randint(1, 4)
        disease = gene.disease
        genes = ((gene.symbol, gene.gene_id),)
        roll = rng.random()
        if roll < 0.45:
            allele = f"{gene.symbol}<tm{n}{lab}>"
            symbol = f"{rng.choice(('B6;129', 'B6.129S', 'C57BL/6N'))}-{allele}"
            genotype = rng.choice((f"{allele}/{allele}", f"{allele}/+"))
            common, summary_en, summary_ja = f"{gene.symbol} KO", f"{gene.symbol} knockout mouse.", f"{gene.symbol}遺伝子ノックアウトマウス。"
        elif roll < 0.8:
            promoter = rng.choice(animals.PROMOTERS)
            symbol = f"C57BL/6-Tg({promoter}-{gene.symbol}){n}{lab}"
            genotype, common = "Tg/0", f"{promoter}-{gene.symbol} Tg"
            summary_en = f"Transgenic mouse expressing {gene.symbol} under the {promoter} promoter."
            summary_ja = f"{promoter}プロモーター制御下で{gene.symbol}を発現するトランスジェニックマウス。"
        else:
            symbol = rng.choice(animals.INBRED_STRAINS)
            if rng.random() < 0.5:
                symbol = f"{symbol}-{rng.choice('ABCDEFGH')}{local % 97}"
            genotype, genes, disease, common = "", (), None, ""
            summary_en, summary_ja = "Inbred strain.", "近交系。"
        if disease is not None:
            summary_en += f" Model of {disease.en}."
            summary_ja += f"{disease.ja}モデル。"
    return {
        "id": mouse_id(local), "kind": "mouse", "name": symbol, "name_ja": "", "synonyms": [common] if common else [],
        "species": "Mus musculus", "species_ja": "マウス", "taxon_id": 10090, "genotype": genotype,
        "genes": [f"{s}:{g}" for s, g in genes], "disease_en": disease.en if disease else "",
        "disease_ja": disease.ja if disease else "", "description_en": summary_en, "description_ja": summary_ja,
        "depositor": depositor(rng), "registered": registered_date(rng, local, 60_000),
        "availability": availability(rng), "form": rng.choice(("生体", "凍結胚", "凍結精子", "生体;凍結胚")),
    }


def cell_record(line: cells.CellLine, catalog_id: str, other_ids: list[str]) -> Record:
    """Return the neutral record of a real cell line under one institution's catalog number."""
    disease = line.disease
    return {
        "id": catalog_id, "kind": "cell", "name": line.name, "name_ja": line.name_ja, "synonyms": list(line.synonyms),
        "species": line.species, "species_ja": line.species_ja, "taxon_id": line.taxon_id,
        "tissue_en": line.tissue_en, "tissue_ja": line.tissue_ja, "cellosaurus": line.cellosaurus,
        "disease_en": disease.en if disease else "", "disease_ja": disease.ja if disease else "",
        "other_ids": other_ids,
    }


def synthetic_cell(rng: random.Random, local: int, catalog_id: str) -> Record:
    """Return a patient-derived cancer line with a lab-style name (no invented Cellosaurus xref)."""
    disease = rng.choice(med.CELL_LINE_CANCERS)
    tissue_en, tissue_ja = med.CANCER_TISSUE[disease.en]
    name = f"{rng.choice(cells.SYNTHETIC_LINE_PREFIXES)}-{local}"
    return {
        "id": catalog_id, "kind": "cell", "name": name, "name_ja": "", "synonyms": [name.replace("-", "")],
        "species": "Homo sapiens", "species_ja": "ヒト", "taxon_id": 9606, "tissue_en": tissue_en,
        "tissue_ja": tissue_ja, "cellosaurus": "", "disease_en": disease.en, "disease_ja": disease.ja,
        "other_ids": [],
    }


def build_cell(rng: random.Random, local: int) -> Record:
    """Build the ``local``-th RIKEN cell line (shared anchors first, then real lines, then synthetic)."""
    shared = cells.SHARED_CELL_LINES
    real = cells.OTHER_REAL_LINES
    if local < len(shared):
        line, _, jcrb = shared[local]
        rec = cell_record(line, cell_id(local), [jcrb])
    elif local < len(shared) + len(real) // 2:
        # Odd pool entries are RIKEN's, even ones JCRB's: these lines are held by one institution only.
        rec = cell_record(real[(local - len(shared)) * 2 + 1], cell_id(local), [])
    elif local < len(shared) + len(real) // 2 + len(cells.IPS_LINES):
        rec = cell_record(cells.IPS_LINES[local - len(shared) - len(real) // 2], cell_id(local), [])
        rec["ips"] = True
    else:
        rec = synthetic_cell(rng, local, cell_id(local))
    disease = f"{rec['disease_ja']}由来。" if rec["disease_ja"] else ""
    if rec.pop("ips", False):
        patient = f"{rec['disease_ja']}患者" if rec["disease_ja"] else "健常者"
        kind_ja = "疾患特異的iPS細胞株" if rec["disease_ja"] else "iPS細胞株"
        rec["description_ja"] = f"ヒト{kind_ja}（人工多能性幹細胞）。{patient}の{rec['tissue_ja']}から樹立。"
        sick = f" of a patient with {rec['disease_en']}" if rec["disease_en"] else " of a healthy donor"
        kind = "Disease-specific human iPS cell line" if rec["disease_en"] else "Human iPS cell line"
        rec["description_en"] = f"{kind} (induced pluripotent stem cells) established from {rec['tissue_en']}{sick}."
    else:
        rec["description_ja"] = f"{rec['species_ja']}{rec['tissue_ja']}由来の細胞株。{disease}"
        rec["description_en"] = f"Cell line from {rec['species']} {rec['tissue_en']}."
    rec.update(depositor=depositor(rng), registered=registered_date(rng, local, 10_000),
               availability=availability(rng), biosafety=rng.choice(("BSL1", "BSL2")),
               medium=rng.choice(("DMEM + 10% FBS", "RPMI 1640 + 10% FBS", "MEM + 10% FBS", "Ham's F-12 + 10% FBS")))
    return rec


def build_dna(rng: random.Random, local: int) -> Record:
    """Build the ``local``-th RIKEN DNA clone (human cDNA clones with NCBI Gene ids)."""
    symbol, gene_id, full = rng.choice(animals.HUMAN_GENES)
    vector = rng.choice(animals.VECTORS)
    name = f"pcDNA-{symbol}" if vector.startswith("pcDNA") else f"{vector.split('(')[0]}-{symbol}"
    return {
        "id": dna_id(local), "kind": "dna", "name": name, "name_ja": "", "synonyms": [f"{symbol} cDNA"],
        "species": "Homo sapiens", "species_ja": "ヒト", "taxon_id": 9606, "genes": [f"{symbol}:{gene_id}"],
        "vector": vector, "insert_size": rng.randint(300, 6000),
        "description_en": f"Full-length cDNA clone of human {symbol} ({full}).",
        "description_ja": f"ヒト{symbol}遺伝子の完全長cDNAクローン。",
        "depositor": depositor(rng), "registered": registered_date(rng, local, 50_000), "availability": availability(rng),
    }


def build_microbe(rng: random.Random, local: int) -> Record:
    """Build the ``local``-th JCM strain (shared anchors with NARO MAFF first)."""
    if local < len(orgs.SHARED_MICROBES):
        taxon, strain = orgs.SHARED_MICROBES[local]
    else:
        taxon = rng.choice(orgs.JCM_TAXA)
        strain = rng.choice((f"ATCC {rng.randint(1000, 60000)}", f"DSM {rng.randint(100, 30000)}",
                             f"NBRC {rng.randint(3000, 110000)}", f"TK{rng.randint(1, 999)}"))
    return {
        "id": microbe_id(local), "kind": "microbe", "name": f"{taxon.name} {strain}", "name_ja": taxon.name_ja,
        "synonyms": [], "species": taxon.name, "species_ja": taxon.name_ja, "taxon_id": taxon.taxon_id,
        "strain": strain, "group": taxon.group, "medium": f"JCM Medium No. {rng.randint(1, 400)}",
        "temperature": rng.choice((25, 30, 37, 45, 60)), "biosafety": rng.choice(("BSL1", "BSL1", "BSL2")),
        "description_en": f"{taxon.group}; strain {strain}.", "description_ja": f"{taxon.name_ja}（{strain}株）。",
        "depositor": depositor(rng), "registered": registered_date(rng, local, 30_000), "availability": availability(rng),
    }


def build_plant(rng: random.Random, local: int) -> Record:
    """Build the ``local``-th RIKEN Arabidopsis line (Ds transposon insertion mutants)."""
    symbol, locus, pheno_en, pheno_ja = rng.choice(orgs.ARABIDOPSIS_GENES)
    background = rng.choice(("Col-0", "Col-0", "Nossen-0", "Ler"))
    allele = f"{symbol.lower()}-{rng.randint(1, 12)}"
    return {
        "id": plant_id(local), "kind": "plant", "name": f"{allele} ({background})", "name_ja": "",
        "synonyms": [f"Ds-{locus}"], "species": "Arabidopsis thaliana", "species_ja": "シロイヌナズナ", "taxon_id": 3702,
        "genotype": f"{allele}/{allele}", "genes": [f"{symbol}:{locus}"], "background": background,
        "description_en": f"Ds transposon insertion in {locus}; {pheno_en}.",
        "description_ja": f"{locus}へのDsトランスポゾン挿入変異体。{pheno_ja}。",
        "depositor": depositor(rng), "registered": registered_date(rng, local, 40_000), "availability": availability(rng),
    }
