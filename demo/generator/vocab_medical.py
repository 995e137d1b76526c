"""Diseases, tissues and specimen vocabularies (English, Japanese, ICD-10) used by every catalog."""

from __future__ import annotations

from typing import NamedTuple


class Disease(NamedTuple):
    """A disease with its English label, Japanese label and ICD-10 code."""

    en: str
    ja: str
    icd10: str


DIABETES = Disease("diabetes mellitus", "糖尿病", "E14")
T1D = Disease("type 1 diabetes mellitus", "1型糖尿病", "E10")
T2D = Disease("type 2 diabetes mellitus", "2型糖尿病", "E11")
OBESITY = Disease("obesity", "肥満症", "E66")
HCC = Disease("hepatocellular carcinoma", "肝細胞癌", "C22.0")
BREAST = Disease("breast cancer", "乳癌", "C50")
CERVICAL = Disease("cervical adenocarcinoma", "子宮頸癌", "C53")
ALZHEIMER = Disease("Alzheimer disease", "アルツハイマー病", "G30")
ATHERO = Disease("atherosclerosis", "動脈硬化症", "I70")
LUNG = Disease("lung adenocarcinoma", "肺腺癌", "C34")
AML = Disease("acute myeloid leukemia", "急性骨髄性白血病", "C92.0")
CML = Disease("chronic myelogenous leukemia", "慢性骨髄性白血病", "C92.1")
TALL = Disease("T-cell acute lymphoblastic leukemia", "T細胞急性リンパ性白血病", "C91.0")
NEUROBLASTOMA = Disease("neuroblastoma", "神経芽腫", "C74.9")
GASTRIC = Disease("gastric cancer", "胃癌", "C16")
COLORECTAL = Disease("colorectal cancer", "大腸癌", "C18")
PANCREATIC = Disease("pancreatic cancer", "膵癌", "C25")
PROSTATE = Disease("prostate cancer", "前立腺癌", "C61")
OSTEOSARCOMA = Disease("osteosarcoma", "骨肉腫", "C41")
BURKITT = Disease("Burkitt lymphoma", "バーキットリンパ腫", "C83.7")
HISTIOCYTIC = Disease("histiocytic lymphoma", "組織球性リンパ腫", "C96")
PHEO = Disease("pheochromocytoma", "褐色細胞腫", "C74.1")
SCID = Disease("severe combined immunodeficiency", "重症複合免疫不全症", "D81")
PARKINSON = Disease("Parkinson disease", "パーキンソン病", "G20")
RA = Disease("rheumatoid arthritis", "関節リウマチ", "M06")
CKD = Disease("chronic kidney disease", "慢性腎臓病", "N18")
NAFLD = Disease("nonalcoholic fatty liver disease", "非アルコール性脂肪性肝疾患", "K76.0")
MELANOMA = Disease("melanoma", "悪性黒色腫", "C43")
RENAL = Disease("renal cell carcinoma", "腎細胞癌", "C64")
OVARIAN = Disease("ovarian cancer", "卵巣癌", "C56")
ESOPHAGEAL = Disease("esophageal squamous cell carcinoma", "食道扁平上皮癌", "C15")
CHOLANGIO = Disease("cholangiocarcinoma", "胆管癌", "C22.1")
HYPERTENSION = Disease("essential hypertension", "本態性高血圧症", "I10")
ASTHMA = Disease("asthma", "気管支喘息", "J45")
UC = Disease("ulcerative colitis", "潰瘍性大腸炎", "K51")
ALS = Disease("amyotrophic lateral sclerosis", "筋萎縮性側索硬化症", "G12.2")
DMD = Disease("Duchenne muscular dystrophy", "デュシェンヌ型筋ジストロフィー", "G71.0")
HUNTINGTON = Disease("Huntington disease", "ハンチントン病", "G10")

#: Diseases a human specimen collection may be dedicated to (hospital biobank case mix).
BIOBANK_DISEASES: tuple[Disease, ...] = (
    T2D, T1D, HCC, BREAST, CERVICAL, ALZHEIMER, LUNG, AML, GASTRIC, COLORECTAL, PANCREATIC,
    PROSTATE, PARKINSON, RA, CKD, NAFLD, RENAL, OVARIAN, ESOPHAGEAL, CHOLANGIO, HYPERTENSION,
    ASTHMA, UC, OBESITY, MELANOMA,
)

#: Cancers that synthetic patient-derived cell lines are established from.
CELL_LINE_CANCERS: tuple[Disease, ...] = (
    HCC, BREAST, LUNG, GASTRIC, COLORECTAL, PANCREATIC, PROSTATE, OSTEOSARCOMA, AML, CML,
    NEUROBLASTOMA, MELANOMA, RENAL, OVARIAN, ESOPHAGEAL, CHOLANGIO,
)

#: Tissue of origin (English, Japanese) keyed by the cancer above.
CANCER_TISSUE: dict[str, tuple[str, str]] = {
    HCC.en: ("liver", "肝臓"), BREAST.en: ("breast", "乳腺"), LUNG.en: ("lung", "肺"),
    GASTRIC.en: ("stomach", "胃"), COLORECTAL.en: ("colon", "大腸"), PANCREATIC.en: ("pancreas", "膵臓"),
    PROSTATE.en: ("prostate", "前立腺"), OSTEOSARCOMA.en: ("bone", "骨"),
    AML.en: ("peripheral blood", "末梢血"), CML.en: ("bone marrow", "骨髄"),
    NEUROBLASTOMA.en: ("adrenal gland", "副腎"), MELANOMA.en: ("skin", "皮膚"),
    RENAL.en: ("kidney", "腎臓"), OVARIAN.en: ("ovary", "卵巣"), ESOPHAGEAL.en: ("esophagus", "食道"),
    CHOLANGIO.en: ("bile duct", "胆管"),
}

#: MIABIS material types (BBMRI-ERIC Directory vocabulary).
MATERIAL_TYPES: tuple[str, ...] = (
    "SERUM", "PLASMA", "WHOLE_BLOOD", "BUFFY_COAT", "DNA", "RNA", "TISSUE_FROZEN",
    "TISSUE_PARAFFIN_EMBEDDED", "URINE", "SALIVA", "FECES", "PERIPHERAL_BLOOD_CELLS",
)

#: MIABIS storage temperature codes.
STORAGE_TEMPERATURES: tuple[str, ...] = (
    "temperature-60to-85", "temperatureLN", "temperature-18to-35", "temperature2to10", "temperatureRoom",
)

#: MIABIS data categories.
DATA_CATEGORIES: tuple[str, ...] = (
    "BIOLOGICAL_SAMPLES", "MEDICAL_RECORDS", "IMAGING_DATA", "GENEALOGICAL_RECORDS", "SURVEY_DATA",
    "PHYSIOLOGICAL_BIOCHEMICAL_MEASUREMENTS", "TREATMENT_RECORDS", "OTHER",
)

#: MIABIS collection types.
COLLECTION_TYPES: tuple[str, ...] = (
    "DISEASE_SPECIFIC", "HOSPITAL", "SAMPLE", "CASE_CONTROL", "COHORT", "LONGITUDINAL",
    "PROSPECTIVE_COLLECTION",
)

#: Clinical departments of the University of Tsukuba Hospital that deposit collections.
DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("Department of Endocrinology and Metabolism", "内分泌代謝・糖尿病内科"),
    ("Department of Gastroenterology", "消化器内科"),
    ("Department of Breast and Endocrine Surgery", "乳腺・甲状腺・内分泌外科"),
    ("Department of Obstetrics and Gynecology", "産科婦人科"),
    ("Department of Neurology", "脳神経内科"),
    ("Department of Respiratory Medicine", "呼吸器内科"),
    ("Department of Hematology", "血液内科"),
    ("Department of Urology", "泌尿器科"),
    ("Department of Nephrology", "腎臓内科"),
    ("Department of Rheumatology", "膠原病リウマチアレルギー内科"),
)


_DEPARTMENT_BY_ICD: tuple[tuple[str, int], ...] = (
    ("C50", 2), ("C53", 3), ("C56", 3), ("C34", 5), ("C9", 6), ("C61", 7), ("C64", 7), ("C", 1), ("E", 0),
    ("K", 1), ("G", 4), ("J", 5), ("N", 8), ("M", 9), ("I", 8),
)
_FEMALE_ONLY = ("C50", "C53", "C56")
_MALE_ONLY = ("C61",)


def department_for(disease: Disease) -> int:
    """Return the index in ``DEPARTMENTS`` of the department that collects ``disease``."""
    return next((dept for prefix, dept in _DEPARTMENT_BY_ICD if disease.icd10.startswith(prefix)), 1)


def sexes_for(disease: Disease) -> list[str]:
    """Return the only possible donor sex of a sex-specific disease, else an empty list."""
    if disease.icd10.startswith(_FEMALE_ONLY):
        return ["FEMALE"]
    if disease.icd10.startswith(_MALE_ONLY):
        return ["MALE"]
    return []
