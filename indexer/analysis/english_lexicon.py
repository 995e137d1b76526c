"""Word lists for the English analyser: stop words, irregular plurals, British spellings.

Changing any of these changes index terms, so it needs a reindex (unlike ``data/synonyms.tsv``,
which is applied at query time).
"""

from __future__ import annotations

__all__ = ["BRITISH_TO_AMERICAN", "IRREGULAR_SINGULARS", "STOP_WORDS"]

# Deliberately short: words that carry no meaning in a resource catalogue. Single letters other than
# "a" stay (strain and serotype names: "E. coli", "type B").
STOP_WORDS: frozenset[str] = frozenset(
    ["a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "for", "from", "has", "have", "if", "in", "into", "is", "it", "its", "of", "on", "or", "such", "than", "that", "the", "their", "then", "there", "these", "they", "this", "those", "to", "was", "were", "which", "will", "with"]
)

# Plural (or inflected) form -> singular, for forms Snowball cannot relate.
IRREGULAR_SINGULARS: dict[str, str] = {
    "mice": "mouse",
    "lice": "louse",
    "geese": "goose",
    "teeth": "tooth",
    "feet": "foot",
    "children": "child",
    "men": "man",
    "women": "woman",
    "oxen": "ox",
    "leaves": "leaf",
    "calves": "calf",
    "wolves": "wolf",
    "halves": "half",
    "bacteria": "bacterium",
    "media": "medium",
    "sera": "serum",
    "fungi": "fungus",
    "nuclei": "nucleus",
    "loci": "locus",
    "foci": "focus",
    "bacilli": "bacillus",
    "stimuli": "stimulus",
    "genera": "genus",
    "larvae": "larva",
    "pupae": "pupa",
    "algae": "alga",
    "vertebrae": "vertebra",
    "mitochondria": "mitochondrion",
    "criteria": "criterion",
    "phenomena": "phenomenon",
    "ova": "ovum",
    "spermatozoa": "spermatozoon",
    "analyses": "analysis",
    "diagnoses": "diagnosis",
    "metastases": "metastasis",
    "syntheses": "synthesis",
    "hypotheses": "hypothesis",
    "indices": "index",
    "matrices": "matrix",
    "appendices": "appendix",
    "cortices": "cortex",
    "apices": "apex",
    "carcinomata": "carcinoma",
    "lymphomata": "lymphoma",
    "stomata": "stoma",
}

# British spelling -> American spelling; applied to stems, so plurals follow.
BRITISH_TO_AMERICAN: dict[str, str] = {
    "tumour": "tumor",
    "leukaemia": "leukemia",
    "anaemia": "anemia",
    "ischaemia": "ischemia",
    "haemoglobin": "hemoglobin",
    "haematopoietic": "hematopoietic",
    "haematology": "hematology",
    "haemorrhage": "hemorrhage",
    "haemophilia": "hemophilia",
    "oestrogen": "estrogen",
    "oedema": "edema",
    "oesophagus": "esophagus",
    "oesophageal": "esophageal",
    "foetus": "fetus",
    "foetal": "fetal",
    "faeces": "feces",
    "faecal": "fecal",
    "paediatric": "pediatric",
    "orthopaedic": "orthopedic",
    "coeliac": "celiac",
    "behaviour": "behavior",
    "behavioural": "behavioral",
    "colour": "color",
    "fibre": "fiber",
    "centre": "center",
    "litre": "liter",
    "millilitre": "milliliter",
    "sulphate": "sulfate",
    "sulphur": "sulfur",
    "aluminium": "aluminum",
    "tumourigenic": "tumorigenic",
    "tumourigenesis": "tumorigenesis",
}
