"""Builders of JCRB, Tsukuba biobank, NARO and NIES records."""

from __future__ import annotations

import random

from demo.generator import vocab_animals as animals
from demo.generator import vocab_cells as cells
from demo.generator import vocab_medical as med
from demo.generator import vocab_organisms as orgs
from demo.generator.builders_riken import cell_record, synthetic_cell
from demo.generator.records import Record, availability, catalog_number, depositor, registered_date

#: Number of fixed anchor records at the start of each kind, per institution.
ANCHORS: dict[str, dict[str, int]] = {
    "jcrb": {"cell": len(cells.SHARED_CELL_LINES), "primate": 0, "medicinal_plant": 0},
    "tsukuba": {"collection": 0},
    "naro": {"plant": 0, "microbe": len(orgs.SHARED_MICROBES)},
    "nies": {"alga": 0},
}

_JCRB_RESERVED = 9000  # JCRB9xxx numbers are the anchors' (lines of foreign origin); generated ones skip them.


def jcrb_cell_id(local: int) -> str:
    """Return the JCRB catalog number of the ``local``-th cell line (anchors hold JCRB9xxx)."""
    if local < len(cells.SHARED_CELL_LINES):
        return cells.SHARED_CELL_LINES[local][2]
    number = local - len(cells.SHARED_CELL_LINES) + 1
    return f"JCRB{number + 1000 if number >= _JCRB_RESERVED else number:04d}"


primate_id = catalog_number("PRC", 1, 5, "The Tsukuba Primate Research Center sample number (PRC00001 ...).")
medicinal_plant_id = catalog_number("MPR-", 1, 5, "The medicinal plant resource number (MPR-00001 ...).")
collection_id = catalog_number("TBB-COL-", 1, 4, "The Tsukuba biobank collection id (TBB-COL-0001 ...).")
naro_plant_id = catalog_number("JP ", 10001, 0, "The NARO plant accession number (``JP 10001`` ...).")
maff_id = catalog_number("MAFF ", 100001, 0, "The NARO microorganism number (``MAFF 100001`` ...).")
nies_id = catalog_number("NIES-", 1, 0, "The NIES strain number (NIES-1 ...).")


def build_jcrb_cell(rng: random.Random, local: int) -> Record:
    """Build the ``local``-th JCRB cell line (shared anchors first, then real lines, then synthetic)."""
    shared, real = cells.SHARED_CELL_LINES, cells.OTHER_REAL_LINES
    catalog_id = jcrb_cell_id(local)
    if local < len(shared):
        line, rcb, _ = shared[local]
        rec = cell_record(line, catalog_id, [rcb])
    elif local < len(shared) + (len(real) + 1) // 2:
        rec = cell_record(real[(local - len(shared)) * 2], catalog_id, [])
    else:
        rec = synthetic_cell(rng, local, catalog_id)
    disease = f"{rec['disease_ja']}由来。" if rec["disease_ja"] else ""
    rec["description_ja"] = f"{rec['species_ja']}{rec['tissue_ja']}由来の細胞株。{disease}"
    rec["description_en"] = ""
    rec.update(depositor=depositor(rng), registered=registered_date(rng, local, 3000), availability=availability(rng),
               medium=rng.choice(("DMEM + 10% FBS", "RPMI 1640 + 10% FBS", "MEM + 10% FBS", "E-MEM + 10% FBS")))
    return rec


def build_primate(rng: random.Random, local: int) -> Record:
    """Build the ``local``-th primate sample lot."""
    species, taxon, species_ja = animals.PRIMATES[0] if rng.random() < 0.8 else rng.choice(animals.PRIMATES)
    sample_en, sample_ja = rng.choice(animals.PRIMATE_SAMPLES)
    sex = rng.choice(("male", "female"))
    age = rng.randint(1, 25)
    return {
        "id": primate_id(local), "kind": "primate", "name": f"{species_ja} {sample_ja}", "name_en": f"{species} {sample_en}",
        "name_ja": f"{species_ja} {sample_ja}", "synonyms": [], "species": species, "species_ja": species_ja,
        "taxon_id": taxon, "sample_type": sample_en, "sex": sex, "age_years": age,
        "origin": rng.choice(animals.PRIMATE_ORIGINS), "disease_en": "", "disease_ja": "",
        "description_ja": f"{species_ja}（{'雄' if sex == 'male' else '雌'}、{age}歳）の{sample_ja}。",
        "description_en": "", "depositor": "医薬基盤・健康・栄養研究所 霊長類医科学研究センター",
        "registered": registered_date(rng, local, 20_000), "availability": availability(rng),
    }


def build_medicinal_plant(rng: random.Random, local: int) -> Record:
    """Build the ``local``-th medicinal plant accession."""
    taxon, drug = rng.choice(orgs.MEDICINAL_PLANTS)
    origin = rng.choice(orgs.PREFECTURES) if rng.random() < 0.6 else rng.choice(orgs.COUNTRIES)[1]
    return {
        "id": medicinal_plant_id(local), "kind": "medicinal_plant", "name": f"{taxon.name_ja}（{origin}系統）",
        "name_en": taxon.name, "name_ja": taxon.name_ja, "synonyms": [drug] if drug != "—" else [],
        "species": taxon.name, "species_ja": taxon.name_ja, "taxon_id": taxon.taxon_id, "crude_drug": drug,
        "origin": origin, "disease_en": "", "disease_ja": "", "material": rng.choice(("種子", "苗", "根茎", "さく葉標本")),
        "description_ja": f"{taxon.name_ja}（{taxon.group}）。生薬「{drug}」の基原植物。", "description_en": "",
        "depositor": "医薬基盤・健康・栄養研究所 薬用植物資源研究センター", "registered": registered_date(rng, local, 20_000),
        "availability": availability(rng),
    }


def build_collection(rng: random.Random, local: int) -> Record:
    """Build the ``local``-th human specimen collection (aggregate counts only, never individuals)."""
    diseases = rng.sample(med.BIOBANK_DISEASES, rng.choice((1, 1, 1, 2, 3)))
    main = diseases[0]
    dept_en, dept_ja = med.DEPARTMENTS[med.department_for(main)]
    materials = sorted(rng.sample(med.MATERIAL_TYPES, rng.randint(1, 4)))
    donors = rng.randint(20, 3000)
    counts = [{"material_type": m, "samples": donors * rng.randint(1, 6)} for m in materials]
    low = rng.choice((0, 18, 20, 40, 50, 65))
    return {
        "id": collection_id(local), "kind": "collection", "name": f"{main.en.capitalize()} collection {local + 1}",
        "name_ja": f"{main.ja}検体コレクション{local + 1}", "synonyms": [], "species": "Homo sapiens", "species_ja": "ヒト",
        "taxon_id": 9606, "acronym": f"TBB-{main.icd10.replace('.', '')}-{local + 1}",
        "collection_types": sorted({"DISEASE_SPECIFIC", "HOSPITAL", "SAMPLE", rng.choice(med.COLLECTION_TYPES)}),
        "diagnoses": [(d.icd10, d.en, d.ja) for d in diseases], "disease_en": main.en, "disease_ja": main.ja,
        "materials": materials, "material_counts": counts,
        "storage_temperatures": sorted(set(rng.sample(med.STORAGE_TEMPERATURES[:3], rng.randint(1, 2)))),
        "sex": med.sexes_for(main) or sorted(rng.choice((("FEMALE", "MALE"), ("FEMALE", "MALE"), ("FEMALE",), ("MALE",)))),
        "age_low": low,
        "age_high": min(99, low + rng.randint(20, 60)), "number_of_donors": donors,
        "size": sum(c["samples"] for c in counts),
        "data_categories": sorted({"BIOLOGICAL_SAMPLES", "MEDICAL_RECORDS", *rng.sample(med.DATA_CATEGORIES, 2)}),
        "department_en": dept_en, "department_ja": dept_ja,
        "description_en": f"Residual specimens from patients with {main.en} treated at the {dept_en}, University of Tsukuba Hospital.",
        "description_ja": f"筑波大学附属病院{dept_ja}で診療を受けた{main.ja}患者の残余検体。",
        "registered": registered_date(rng, local, 3000), "availability": availability(rng),
    }


def build_naro_plant(rng: random.Random, local: int) -> Record:
    """Build the ``local``-th NARO plant accession (cultivars and landraces)."""
    taxon, cultivars = rng.choice(orgs.NARO_CROPS)
    if rng.random() < 0.5:
        romaji, ja = rng.choice(cultivars)
        country = orgs.COUNTRIES[0]
        status = "育成品種"
    else:
        country = rng.choice(orgs.COUNTRIES)
        place = rng.choice(orgs.PREFECTURES) if country[2] == "JP" else country[1]
        romaji, ja = f"Landrace {local}", f"{place}在来{local % 50 + 1}"
        status = "在来種"
    return {
        "id": naro_plant_id(local), "kind": "plant", "name": ja, "name_en": romaji, "name_ja": ja, "synonyms": [romaji],
        "species": taxon.name, "species_ja": taxon.name_ja, "taxon_id": taxon.taxon_id, "family": taxon.group,
        "cultivar": romaji, "country": country[2], "country_ja": country[1], "status": status,
        "description_ja": f"{taxon.name_ja}（{taxon.name}）の{status}「{ja}」。", "description_en": "",
        "collected": registered_date(rng, local, 150_000), "registered": registered_date(rng, local, 150_000),
        "availability": availability(rng), "disease_en": "", "disease_ja": "",
    }


def build_maff(rng: random.Random, local: int) -> Record:
    """Build the ``local``-th NARO microorganism (shared anchors with RIKEN JCM first)."""
    if local < len(orgs.SHARED_MICROBES):
        taxon, strain = orgs.SHARED_MICROBES[local]
    else:
        taxon = rng.choice(orgs.MAFF_TAXA)
        strain = rng.choice((f"MAFF-{rng.randint(1, 9999)}", f"{rng.choice(('T', 'K', 'S', 'N'))}{rng.randint(1, 999)}"))
    host = rng.choice(orgs.NARO_CROPS)[0]
    return {
        "id": maff_id(local), "kind": "microbe", "name": f"{taxon.name} {strain}", "name_ja": taxon.name_ja,
        "synonyms": [], "species": taxon.name, "species_ja": taxon.name_ja, "taxon_id": taxon.taxon_id,
        "strain": strain, "group": taxon.group, "host": host.name, "host_ja": host.name_ja,
        "country": "JP", "country_ja": "日本",
        "description_ja": f"{taxon.name_ja}。{host.name_ja}から分離。", "description_en": "",
        "collected": registered_date(rng, local, 80_000), "registered": registered_date(rng, local, 80_000),
        "availability": availability(rng), "disease_en": "", "disease_ja": "",
    }


def build_alga(rng: random.Random, local: int) -> Record:
    """Build the ``local``-th NIES strain (algae, protists, cyanobacteria)."""
    taxon, class_name = orgs.NIES_TAXA[local % len(orgs.NIES_TAXA)] if local < 36 else rng.choice(orgs.NIES_TAXA)
    locality_en, locality_ja = rng.choice(orgs.LOCALITIES)
    strain = f"{rng.choice(('NIES', 'UTEX', 'CCAP', 'SAG', 'PCC'))} {rng.randint(1, 3000)}"
    return {
        "id": nies_id(local), "kind": "alga", "name": taxon.name, "name_ja": taxon.name_ja, "synonyms": [strain],
        "species": taxon.name, "species_ja": taxon.name_ja, "taxon_id": taxon.taxon_id, "class_name": class_name,
        "group": taxon.group, "strain": strain, "locality_en": locality_en, "locality_ja": locality_ja,
        "medium": rng.choice(orgs.NIES_MEDIA), "temperature": rng.choice((10, 15, 20, 25, 30, 40)),
        "light": f"{rng.choice((4, 10, 20, 40))} µmol photons m⁻² s⁻¹, {rng.choice(('10L:14D', '12L:12D', '14L:10D'))}",
        "axenic": rng.choice(("axenic", "non-axenic")), "isolator": depositor(rng),
        "description_en": f"{taxon.group.capitalize()} strain isolated from {locality_en}.",
        "description_ja": f"{locality_ja}から分離された{taxon.name_ja}。", "collected": registered_date(rng, local, 5000),
        "registered": registered_date(rng, local, 5000), "availability": availability(rng), "disease_en": "", "disease_ja": "",
    }
