"""Mouse strains, models, genes and primates with real nomenclature and NCBI identifiers."""

from __future__ import annotations

from typing import NamedTuple

from demo.generator import vocab_medical as med
from demo.generator.vocab_medical import Disease


class MouseModel(NamedTuple):
    """A named mouse strain or disease model."""

    symbol: str
    common: str
    genotype: str
    genes: tuple[tuple[str, int], ...]
    disease: Disease | None
    summary_en: str
    summary_ja: str


class Gene(NamedTuple):
    """A gene with its NCBI Gene id and the disease area a mutant of it models."""

    symbol: str
    gene_id: int
    disease: Disease | None


#: Inbred strains (MGI/JAX/CLEA/RIKEN nomenclature).
INBRED_STRAINS: tuple[str, ...] = (
    "C57BL/6J", "C57BL/6NJcl", "C57BL/6JJmsSlc", "BALB/cAJcl", "BALB/cByJ", "C3H/HeJ", "DBA/2J",
    "129X1/SvJ", "FVB/NJ", "A/J", "CBA/J", "MSM/Ms", "JF1/Ms", "KK/TaJcl", "ICR", "NOD/ShiJcl",
)

#: Famous models, always among the first mouse records (fixed indices).
MOUSE_MODELS: tuple[MouseModel, ...] = (
    MouseModel("BKS.Cg-Dock7<m> +/+ Lepr<db>/J", "db/db", "Lepr<db>/Lepr<db>", (("Lepr", 16847),), med.T2D,
               "Leptin receptor deficient obese model of type 2 diabetes mellitus.",
               "レプチン受容体欠損による肥満・2型糖尿病モデル。"),
    MouseModel("B6.Cg-Lep<ob>/J", "ob/ob", "Lep<ob>/Lep<ob>", (("Lep", 16846),), med.OBESITY,
               "Leptin deficient obese mouse with hyperglycemia; diabetes mellitus model.",
               "レプチン欠損による肥満マウス。高血糖を呈する糖尿病モデル。"),
    MouseModel("NOD/ShiJcl", "NOD", "", (), med.T1D,
               "Non-obese diabetic mouse; spontaneous autoimmune type 1 diabetes mellitus.",
               "非肥満型糖尿病マウス。自己免疫性1型糖尿病を自然発症する。"),
    MouseModel("KK-A<y>/TaJcl", "KK-Ay", "A<y>/a", (("a", 50518),), med.T2D,
               "Obese type 2 diabetes mellitus model carrying the lethal yellow (Ay) allele.",
               "Ay遺伝子を導入した肥満・2型糖尿病モデル。"),
    MouseModel("C57BL/6-Ins2<Akita>/J", "Akita", "Ins2<Akita>/+", (("Ins2", 16334),), med.DIABETES,
               "Ins2 point mutation causing beta-cell failure; insulin-dependent diabetes mellitus.",
               "Ins2遺伝子の点変異によりβ細胞が障害され、糖尿病を発症する。"),
    MouseModel("B6;129-Ins2<tm1>", "Ins2 KO", "Ins2<tm1>/Ins2<tm1>", (("Ins2", 16334),), med.DIABETES,
               "Insulin 2 knockout line.", "インスリン2遺伝子ノックアウトマウス。"),
    MouseModel("B6.129P2-Apoe<tm1Unc>/J", "ApoE KO", "Apoe<tm1Unc>/Apoe<tm1Unc>", (("Apoe", 11816),), med.ATHERO,
               "Apolipoprotein E deficient; hypercholesterolemia and atherosclerosis.",
               "アポリポタンパク質E欠損。高コレステロール血症と動脈硬化を呈する。"),
    MouseModel("B6.129S2-Trp53<tm1Tyj>/J", "p53 KO", "Trp53<tm1Tyj>/Trp53<tm1Tyj>", (("Trp53", 22059),), None,
               "Trp53 null mice develop tumours by six months.", "Trp53欠損マウス。6か月齢までに腫瘍を発生する。"),
    MouseModel("B6.Cg-Tg(APPswe,PSEN1dE9)85Dbo/Mmjax", "APP/PS1", "Tg/0", (("App", 11820), ("Psen1", 19164)),
               med.ALZHEIMER, "Amyloid plaque forming model of Alzheimer disease.",
               "アミロイド斑を形成するアルツハイマー病モデル。"),
    MouseModel("NOD.Cg-Prkdc<scid> Il2rg<tm1Sug>/ShiJic", "NOG", "Prkdc<scid>/Prkdc<scid>, Il2rg<tm1Sug>/Y",
               (("Prkdc", 19090), ("Il2rg", 16186)), med.SCID,
               "Severely immunodeficient host for human cell engraftment.",
               "ヒト細胞・組織の生着に用いる重度免疫不全マウス。"),
)

#: Genes for synthetic knockout and transgenic lines.
MOUSE_GENES: tuple[Gene, ...] = (
    Gene("Lep", 16846, med.OBESITY), Gene("Lepr", 16847, med.T2D), Gene("Ins1", 16333, med.DIABETES),
    Gene("Ins2", 16334, med.DIABETES), Gene("Insr", 16337, med.T2D), Gene("Gck", 103988, med.DIABETES),
    Gene("Pparg", 19016, med.T2D), Gene("Mc4r", 17202, med.OBESITY), Gene("Fto", 26383, med.OBESITY),
    Gene("Apoe", 11816, med.ATHERO), Gene("Trp53", 22059, None), Gene("Brca1", 12189, med.BREAST),
    Gene("Apc", 11789, med.COLORECTAL), Gene("Pten", 19211, None), Gene("Kras", 16653, med.LUNG),
    Gene("App", 11820, med.ALZHEIMER), Gene("Psen1", 19164, med.ALZHEIMER), Gene("Mapt", 17762, med.ALZHEIMER),
    Gene("Tnf", 21926, med.RA), Gene("Foxp3", 20371, None), Gene("Rag1", 19373, med.SCID),
    Gene("Il2rg", 16186, med.SCID), Gene("Sirt1", 93759, None), Gene("Nlrp3", 216799, None),
    Gene("Cd4", 12504, None), Gene("Cd8a", 12525, None),
)

#: Laboratory codes used in allele symbols (tm1Rbrc, tm2Sug ...).
LAB_CODES: tuple[str, ...] = ("Rbrc", "Tyj", "Unc", "Sug", "Ksk", "Ytak", "Nnt", "Jae", "Tsu", "Kyo")

#: Transgene promoters.
PROMOTERS: tuple[str, ...] = ("CAG", "Alb", "Ins2", "Camk2a", "Krt14", "Lck", "Nes", "Pdx1", "Vil1", "Thy1")

#: Non-human primates of the Tsukuba Primate Research Center: (species, taxon, Japanese).
PRIMATES: tuple[tuple[str, int, str], ...] = (
    ("Macaca fascicularis", 9541, "カニクイザル"),
    ("Macaca mulatta", 9544, "アカゲザル"),
    ("Chlorocebus sabaeus", 60711, "アフリカミドリザル"),
)

#: Primate sample types (English, Japanese).
PRIMATE_SAMPLES: tuple[tuple[str, str], ...] = (
    ("serum", "血清"), ("plasma", "血漿"), ("genomic DNA", "ゲノムDNA"), ("liver tissue", "肝臓組織"),
    ("kidney tissue", "腎臓組織"), ("brain tissue", "脳組織"), ("PBMC", "末梢血単核球"),
    ("skin fibroblasts", "皮膚線維芽細胞"), ("pancreas tissue", "膵臓組織"),
)

#: Breeding origins of the cynomolgus colony.
PRIMATE_ORIGINS: tuple[str, ...] = ("フィリピン由来", "マレーシア由来", "インドネシア由来", "筑波霊長類医科学研究センター繁殖")

#: Human genes for cDNA clones: (symbol, NCBI Gene id, full name).
HUMAN_GENES: tuple[tuple[str, int, str], ...] = (
    ("TP53", 7157, "tumor protein p53"), ("BRCA1", 672, "BRCA1 DNA repair associated"),
    ("EGFR", 1956, "epidermal growth factor receptor"), ("INS", 3630, "insulin"), ("LEP", 3952, "leptin"),
    ("APOE", 348, "apolipoprotein E"), ("APP", 351, "amyloid beta precursor protein"),
    ("MAPT", 4137, "microtubule associated protein tau"), ("KRAS", 3845, "KRAS proto-oncogene, GTPase"),
    ("MYC", 4609, "MYC proto-oncogene, bHLH transcription factor"),
    ("GAPDH", 2597, "glyceraldehyde-3-phosphate dehydrogenase"), ("ACTB", 60, "actin beta"),
    ("TNF", 7124, "tumor necrosis factor"), ("IL6", 3569, "interleukin 6"),
    ("VEGFA", 7422, "vascular endothelial growth factor A"), ("ESR1", 2099, "estrogen receptor 1"),
    ("AKT1", 207, "AKT serine/threonine kinase 1"), ("PTEN", 5728, "phosphatase and tensin homolog"),
    ("CDKN2A", 1029, "cyclin dependent kinase inhibitor 2A"), ("HBB", 3043, "hemoglobin subunit beta"),
    ("ALB", 213, "albumin"), ("SOX2", 6657, "SRY-box transcription factor 2"),
    ("POU5F1", 5460, "POU class 5 homeobox 1"), ("NANOG", 79923, "Nanog homeobox"),
    ("KLF4", 9314, "KLF transcription factor 4"),
)

#: Cloning vectors of cDNA resources.
VECTORS: tuple[str, ...] = ("pcDNA3.1(+)", "pCMV-SPORT6", "pENTR/D-TOPO", "pBluescript II SK(-)", "pFLCI", "pDONR221", "pGEM-T Easy")
