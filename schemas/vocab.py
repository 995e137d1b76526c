"""Controlled vocabularies with Japanese and English labels."""

from __future__ import annotations

from enum import StrEnum

from schemas.labels import vocabulary_labels


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



class Availability(StrEnum):
    """Whether the holding institution distributes the resource now."""

    AVAILABLE = "available"
    ON_REQUEST = "on_request"
    LIMITED = "limited"
    UNAVAILABLE = "unavailable"
    WITHDRAWN = "withdrawn"



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


#: Japanese and English labels (data in labels.toml).
RESOURCE_TYPE_LABELS: dict[ResourceType, tuple[str, str]] = vocabulary_labels(ResourceType, "resource_type")
AVAILABILITY_LABELS: dict[Availability, tuple[str, str]] = vocabulary_labels(Availability, "availability")
