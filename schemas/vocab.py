"""Controlled vocabularies with Japanese and English labels."""

from __future__ import annotations

from enum import StrEnum


class ResourceType(StrEnum):
    """What kind of material a resource is."""

    MOUSE_STRAIN = "mouse_strain"
    RAT_STRAIN = "rat_strain"
    OTHER_ANIMAL = "other_animal"
    PLANT = "plant"
    CELL_LINE = "cell_line"
    DNA = "dna"
    MICROBE = "microbe"
    ALGAE = "algae"
    HUMAN_SPECIMEN = "human_specimen"
    PRIMATE_SAMPLE = "primate_sample"
    MEDICINAL_PLANT = "medicinal_plant"
    ANTIBODY = "antibody"
    OTHER = "other"


RESOURCE_TYPE_LABELS: dict[ResourceType, tuple[str, str]] = {
    ResourceType.MOUSE_STRAIN: ("マウス系統", "Mouse strain"),
    ResourceType.RAT_STRAIN: ("ラット系統", "Rat strain"),
    ResourceType.OTHER_ANIMAL: ("その他の動物", "Other animal"),
    ResourceType.PLANT: ("植物系統・種子", "Plant line / seed"),
    ResourceType.CELL_LINE: ("細胞株", "Cell line"),
    ResourceType.DNA: ("遺伝子材料", "DNA clone / gene material"),
    ResourceType.MICROBE: ("微生物", "Microbe"),
    ResourceType.ALGAE: ("藻類・原生生物", "Algae / protist"),
    ResourceType.HUMAN_SPECIMEN: ("ヒト試料コレクション", "Human specimen collection"),
    ResourceType.PRIMATE_SAMPLE: ("霊長類試料", "Primate sample"),
    ResourceType.MEDICINAL_PLANT: ("薬用植物", "Medicinal plant"),
    ResourceType.ANTIBODY: ("抗体", "Antibody"),
    ResourceType.OTHER: ("その他", "Other"),
}


class Availability(StrEnum):
    """Whether the holding institution distributes the resource now."""

    AVAILABLE = "available"
    ON_REQUEST = "on_request"
    LIMITED = "limited"
    UNAVAILABLE = "unavailable"
    WITHDRAWN = "withdrawn"


AVAILABILITY_LABELS: dict[Availability, tuple[str, str]] = {
    Availability.AVAILABLE: ("提供可能", "Available"),
    Availability.ON_REQUEST: ("要相談", "On request"),
    Availability.LIMITED: ("提供制限あり", "Limited"),
    Availability.UNAVAILABLE: ("提供停止中", "Unavailable"),
    Availability.WITHDRAWN: ("取り下げ", "Withdrawn"),
}


class MtaType(StrEnum):
    """The material transfer agreement a distribution requires."""

    NONE = "none"
    SIMPLE = "simple"
    UBMTA = "ubmta"
    INSTITUTIONAL = "institutional"
    ACADEMIC_ONLY = "academic_only"
    COLLABORATION = "collaboration"


#: Cross-reference databases we recognise, with URL templates for links.
XREF_URLS: dict[str, str] = {
    "Cellosaurus": "https://www.cellosaurus.org/{id}",
    "RRID": "https://scicrunch.org/resolver/{id}",
    "MGI": "https://www.informatics.jax.org/accession/{id}",
    "NCBI_Gene": "https://www.ncbi.nlm.nih.gov/gene/{id}",
    "NCBI_Taxonomy": "https://www.ncbi.nlm.nih.gov/Taxonomy/Browser/wwwtax.cgi?id={id}",
    "GenBank": "https://www.ncbi.nlm.nih.gov/nuccore/{id}",
    "DOI": "https://doi.org/{id}",
    "PubMed": "https://pubmed.ncbi.nlm.nih.gov/{id}/",
    "IMSR": "https://www.findmice.org/summary?query={id}",
    "ATCC": "https://www.atcc.org/products/{id}",
    "DSMZ": "https://www.dsmz.de/collection/catalogue/details/culture/{id}",
    "ICD-10": "https://icd.who.int/browse10/2019/en#/{id}",
}
