"""Member institutions of the consortium."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Institution(BaseModel):
    """A member institution holding resources."""

    model_config = ConfigDict(extra="forbid")

    slug: str = Field(pattern=r"^[a-z][a-z0-9_-]{1,31}$", description="Stable short id, e.g. riken-brc.")
    name_ja: str = Field(description="Name in Japanese.")
    name_en: str = Field(description="Name in English.")
    homepage: str | None = Field(None, description="Public website.")
    contact_email: str | None = Field(None, description="Where usage requests are sent.")
    mta_note_ja: str | None = Field(None, description="Distribution conditions (Japanese).")
    mta_note_en: str | None = Field(None, description="Distribution conditions (English).")


#: The consortium's members (real institutions in or near Tsukuba).
INSTITUTIONS: dict[str, Institution] = {
    i.slug: i
    for i in (
        Institution(slug="riken-brc", name_ja="理化学研究所 バイオリソース研究センター",
                    name_en="RIKEN BioResource Research Center", homepage="https://brc.riken.jp/",
                    mta_note_ja="提供には理研BRCのMTA締結が必要です。", mta_note_en="Distribution requires RIKEN BRC's MTA."),
        Institution(slug="jcrb", name_ja="医薬基盤・健康・栄養研究所 JCRB細胞バンク",
                    name_en="NIBIOHN JCRB Cell Bank", homepage="https://cellbank.nibiohn.go.jp/",
                    mta_note_ja="JCRB細胞バンクの提供同意書が必要です。", mta_note_en="JCRB Cell Bank's distribution agreement applies."),
        Institution(slug="tsukuba-biobank", name_ja="筑波大学附属病院 つくばヒト組織バイオバンクセンター",
                    name_en="University of Tsukuba Hospital, Tsukuba Human Tissue Biobank Center",
                    homepage="https://www.hosp.tsukuba.ac.jp/",
                    mta_note_ja="倫理審査委員会の承認が必要です。", mta_note_en="Requires ethics committee approval."),
        Institution(slug="naro", name_ja="農研機構 遺伝資源センター (NARO Genebank)", name_en="NARO Genebank",
                    homepage="https://www.gene.affrc.go.jp/",
                    mta_note_ja="農研機構の遺伝資源提供規程に従います。", mta_note_en="NARO Genebank distribution rules apply."),
        Institution(slug="nies", name_ja="国立環境研究所 微生物系統保存施設", name_en="NIES Microbial Culture Collection",
                    homepage="https://mcc.nies.go.jp/",
                    mta_note_ja="NIES-MCCの分譲条件に従います。", mta_note_en="NIES-MCC distribution conditions apply."),
    )
}
