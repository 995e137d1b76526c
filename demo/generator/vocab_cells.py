"""Real cell lines with their real Cellosaurus accessions.

Only the HeLa catalog numbers (RCB0007 at RIKEN BRC, JCRB9004 at JCRB) are the institutions' real
numbers; the other catalog numbers given to the anchor lines are simulated.
"""

from __future__ import annotations

from typing import NamedTuple

from demo.generator import vocab_medical as med
from demo.generator.vocab_medical import Disease


class CellLine(NamedTuple):
    """A cell line as every catalog knows it."""

    name: str
    cellosaurus: str
    species: str
    taxon_id: int
    species_ja: str
    tissue_en: str
    tissue_ja: str
    disease: Disease | None
    synonyms: tuple[str, ...]
    name_ja: str


_HS, _MM, _RN = ("Homo sapiens", 9606, "ヒト"), ("Mus musculus", 10090, "マウス"), ("Rattus norvegicus", 10116, "ラット")
_CS = ("Chlorocebus sabaeus", 60711, "アフリカミドリザル")
_CG = ("Cricetulus griseus", 10029, "チャイニーズハムスター")
_CF = ("Canis lupus familiaris", 9615, "イヌ")


def _line(name: str, cvcl: str, sp: tuple[str, int, str], tissue: tuple[str, str], disease: Disease | None,
          synonyms: tuple[str, ...] = (), name_ja: str = "") -> CellLine:
    return CellLine(name, cvcl, sp[0], sp[1], sp[2], tissue[0], tissue[1], disease, synonyms, name_ja)


#: Lines held by both RIKEN BRC and JCRB: (line, RIKEN RCB number, JCRB number).
#: Their order is fixed: HeLa sits at RIKEN cell index 6, hence RCB0007.
SHARED_CELL_LINES: tuple[tuple[CellLine, str, str], ...] = (
    (_line("HEK293", "CVCL_0045", _HS, ("embryonic kidney", "胎児腎臓"), None, ("293", "HEK-293"), "ヒト胎児腎細胞293"), "RCB0001", "JCRB9068"),
    (_line("MCF-7", "CVCL_0031", _HS, ("breast", "乳腺"), med.BREAST, ("MCF7", "Michigan Cancer Foundation-7")), "RCB0002", "JCRB9001"),
    (_line("Hep G2", "CVCL_0027", _HS, ("liver", "肝臓"), med.HCC, ("HepG2", "HEPG2")), "RCB0003", "JCRB9002"),
    (_line("A549", "CVCL_0023", _HS, ("lung", "肺"), med.LUNG, ("A-549",)), "RCB0004", "JCRB9003"),
    (_line("Jurkat", "CVCL_0065", _HS, ("peripheral blood", "末梢血"), med.TALL, ("JURKAT", "Jurkat-FHCRC")), "RCB0005", "JCRB9005"),
    (_line("K-562", "CVCL_0004", _HS, ("bone marrow", "骨髄"), med.CML, ("K562", "K 562")), "RCB0006", "JCRB9006"),
    (_line("HeLa", "CVCL_0030", _HS, ("uterine cervix", "子宮頸部"), med.CERVICAL, ("HELA", "Hela", "He La", "HeLa CCL-2"), "ヒーラ細胞"), "RCB0007", "JCRB9004"),
    (_line("NIH 3T3", "CVCL_0594", _MM, ("embryo", "胎児"), None, ("NIH3T3", "NIH-3T3")), "RCB0008", "JCRB9007"),
    (_line("Vero", "CVCL_0059", _CS, ("kidney", "腎臓"), None, ("VERO",)), "RCB0009", "JCRB9008"),
    (_line("COS-7", "CVCL_0224", _CS, ("kidney", "腎臓"), None, ("COS7", "Cos-7")), "RCB0010", "JCRB9009"),
    (_line("PC-12", "CVCL_0481", _RN, ("adrenal gland", "副腎"), med.PHEO, ("PC12",)), "RCB0011", "JCRB9010"),
    (_line("HL-60", "CVCL_0002", _HS, ("peripheral blood", "末梢血"), med.AML, ("HL60",)), "RCB0012", "JCRB9011"),
    (_line("U-937", "CVCL_0007", _HS, ("pleural effusion", "胸水"), med.HISTIOCYTIC, ("U937",)), "RCB0013", "JCRB9021"),
    (_line("CHO-K1", "CVCL_0214", _CG, ("ovary", "卵巣"), None, ("CHOK1", "CHO K1")), "RCB0014", "JCRB9018"),
    (_line("SH-SY5Y", "CVCL_0019", _HS, ("bone marrow", "骨髄"), med.NEUROBLASTOMA, ("SHSY5Y", "SH-SY-5Y")), "RCB0015", "JCRB9012"),
)

#: Well-known lines each held by one institution only (real accessions); used right after the anchors.
OTHER_REAL_LINES: tuple[CellLine, ...] = (
    _line("HuH-7", "CVCL_0336", _HS, ("liver", "肝臓"), med.HCC, ("Huh7", "HUH7")),
    _line("Caco-2", "CVCL_0025", _HS, ("colon", "大腸"), med.COLORECTAL, ("CACO2",)),
    _line("HT-29", "CVCL_0320", _HS, ("colon", "大腸"), med.COLORECTAL, ("HT29",)),
    _line("MDCK", "CVCL_0422", _CF, ("kidney", "腎臓"), None, ("Madin-Darby canine kidney",)),
    _line("RAW 264.7", "CVCL_0493", _MM, ("ascites", "腹水"), None, ("RAW264.7",)),
    _line("THP-1", "CVCL_0006", _HS, ("peripheral blood", "末梢血"), med.AML, ("THP1",)),
    _line("PC-3", "CVCL_0035", _HS, ("prostate", "前立腺"), med.PROSTATE, ("PC3",)),
    _line("HCT 116", "CVCL_0291", _HS, ("colon", "大腸"), med.COLORECTAL, ("HCT116",)),
    _line("MDA-MB-231", "CVCL_0062", _HS, ("breast", "乳腺"), med.BREAST, ("MDA-MB231",)),
    _line("Raji", "CVCL_0511", _HS, ("maxilla", "上顎"), med.BURKITT, ("RAJI",)),
    _line("3T3-L1", "CVCL_0123", _MM, ("embryo", "胎児"), None, ("3T3L1",)),
    _line("C2C12", "CVCL_0188", _MM, ("skeletal muscle", "骨格筋"), None, ("C2C-12",)),
    _line("HEK293T", "CVCL_0063", _HS, ("embryonic kidney", "胎児腎臓"), None, ("293T",)),
    _line("U2OS", "CVCL_0042", _HS, ("bone", "骨"), med.OSTEOSARCOMA, ("U-2 OS",)),
    _line("A-431", "CVCL_0037", _HS, ("skin", "皮膚"), None, ("A431",)),
    _line("HT-1080", "CVCL_0317", _HS, ("connective tissue", "結合組織"), None, ("HT1080",)),
    _line("T-47D", "CVCL_0553", _HS, ("breast", "乳腺"), med.BREAST, ("T47D",)),
    _line("MIN6", "CVCL_0431", _MM, ("pancreatic islet", "膵島"), None, ("MIN-6",)),
    _line("Neuro-2a", "CVCL_0470", _MM, ("brain", "脳"), med.NEUROBLASTOMA, ("N2a", "Neuro2a")),
    _line("Hep 3B2.1-7", "CVCL_0326", _HS, ("liver", "肝臓"), med.HCC, ("Hep3B",)),
    _line("Saos-2", "CVCL_0548", _HS, ("bone", "骨"), med.OSTEOSARCOMA, ("SAOS2",)),
    _line("LNCaP clone FGC", "CVCL_1379", _HS, ("prostate", "前立腺"), med.PROSTATE, ("LNCaP",)),
    _line("Daudi", "CVCL_0008", _HS, ("peripheral blood", "末梢血"), med.BURKITT, ()),
    _line("MOLT-4", "CVCL_0013", _HS, ("peripheral blood", "末梢血"), med.TALL, ("MOLT4",)),
    _line("SK-N-SH", "CVCL_0531", _HS, ("bone marrow", "骨髄"), med.NEUROBLASTOMA, ("SKNSH",)),
    _line("IMR-32", "CVCL_0346", _HS, ("abdomen", "腹部"), med.NEUROBLASTOMA, ("IMR32",)),
    _line("B16-F10", "CVCL_0159", _MM, ("skin", "皮膚"), med.MELANOMA, ("B16F10",)),
    _line("L-929", "CVCL_0462", _MM, ("subcutaneous connective tissue", "皮下結合組織"), None, ("L929", "NCTC clone 929")),
    _line("Ba/F3", "CVCL_0161", _MM, ("peripheral blood", "末梢血"), None, ("BaF3",)),
    _line("WI-38", "CVCL_0579", _HS, ("lung", "肺"), None, ("WI38",)),
    _line("MRC-5", "CVCL_0440", _HS, ("lung", "肺"), None, ("MRC5",)),
    _line("HeLa S3", "CVCL_0058", _HS, ("uterine cervix", "子宮頸部"), med.CERVICAL, ("HeLaS3",)),
)

#: Human iPS cell lines as RIKEN BRC distributes them: healthy-donor lines (real line names) and
#: disease-specific lines from patients (simulated names). No Cellosaurus accession is invented.
_FIBROBLAST, _PBMC = ("skin fibroblast", "皮膚線維芽細胞"), ("peripheral blood", "末梢血")
IPS_LINES: tuple[CellLine, ...] = (
    _line("201B7", "", _HS, _FIBROBLAST, None, ("201B7 iPS",), "ヒトiPS細胞 201B7"),
    _line("253G1", "", _HS, _FIBROBLAST, None, ("253G1 iPS",), "ヒトiPS細胞 253G1"),
    _line("409B2", "", _HS, _FIBROBLAST, None, ("409B2 iPS",), "ヒトiPS細胞 409B2"),
    _line("1383D2", "", _HS, _PBMC, None, ("1383D2 iPS",), "ヒトiPS細胞 1383D2"),
    _line("HiPS-PD-TKB1", "", _HS, _FIBROBLAST, med.PARKINSON, (), "パーキンソン病患者由来iPS細胞"),
    _line("HiPS-AD-TKB1", "", _HS, _FIBROBLAST, med.ALZHEIMER, (), "アルツハイマー病患者由来iPS細胞"),
    _line("HiPS-ALS-TKB1", "", _HS, _PBMC, med.ALS, (), "ALS患者由来iPS細胞"),
    _line("HiPS-DMD-TKB1", "", _HS, _FIBROBLAST, med.DMD, (), "デュシェンヌ型筋ジストロフィー患者由来iPS細胞"),
    _line("HiPS-T1D-TKB1", "", _HS, _PBMC, med.T1D, (), "1型糖尿病患者由来iPS細胞"),
    _line("HiPS-HD-TKB1", "", _HS, _FIBROBLAST, med.HUNTINGTON, (), "ハンチントン病患者由来iPS細胞"),
)

#: Prefixes of synthetic patient-derived lines (lab-style names; no Cellosaurus xref is invented).
SYNTHETIC_LINE_PREFIXES: tuple[str, ...] = (
    "TKB", "TSK", "HuTs", "KTM", "OCUT", "NUGC-T", "TGBC-T", "HLE-T", "KMS-T", "JHH-T", "NCC-T", "TYK-T",
)
