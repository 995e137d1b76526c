"""Microbes, algae, crops and medicinal plants with real names and NCBI taxonomy ids."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import NamedTuple


class Taxon(NamedTuple):
    """An organism as catalogs name it."""

    name: str
    taxon_id: int
    name_ja: str
    group: str


_ORGANISMS = tomllib.loads((Path(__file__).parent / "organisms.toml").read_text(encoding="utf-8"))

#: Microbes held by RIKEN JCM (bacteria, archaea, yeasts, fungi).
JCM_TAXA: tuple[Taxon, ...] = tuple(Taxon(*row) for row in _ORGANISMS["jcm"])

#: Microbes held by NARO (MAFF): mostly plant pathogens and agricultural microbes.
MAFF_TAXA: tuple[Taxon, ...] = tuple(Taxon(*row) for row in _ORGANISMS["maff"])

#: Microbes deposited at both RIKEN JCM and NARO MAFF: (taxon, strain designation).
SHARED_MICROBES: tuple[tuple[Taxon, str], ...] = (
    (JCM_TAXA[0], "K-12"),
    (JCM_TAXA[1], "Marburg"),
    (JCM_TAXA[2], "ATCC 393"),
    (JCM_TAXA[3], "S288C"),
    (MAFF_TAXA[8], "C58"),
    (MAFF_TAXA[7], "USDA 110"),
    (MAFF_TAXA[10], "HD-1"),
    (MAFF_TAXA[4], "pv. tomato DC3000"),
)

#: Algae, protists and cyanobacteria of NIES: (taxon, class).
NIES_TAXA: tuple[tuple[Taxon, str], ...] = tuple((Taxon(*row[:4]), row[4]) for row in _ORGANISMS["nies"])

#: Sampling localities of NIES strains: (English, Japanese).
LOCALITIES: tuple[tuple[str, str], ...] = (
    ("Lake Kasumigaura, Ibaraki, Japan", "霞ヶ浦（茨城県）"), ("Lake Biwa, Shiga, Japan", "琵琶湖（滋賀県）"),
    ("Tsukuba, Ibaraki, Japan", "つくば市（茨城県）"), ("Lake Suwa, Nagano, Japan", "諏訪湖（長野県）"),
    ("Tokyo Bay, Japan", "東京湾"), ("Okinawa, Japan", "沖縄県"), ("Lake Tega, Chiba, Japan", "手賀沼（千葉県）"),
    ("Kusatsu hot spring, Gunma, Japan", "草津温泉（群馬県）"), ("unknown", "不明"),
)

#: Culture media of NIES.
NIES_MEDIA: tuple[str, ...] = ("C", "CA", "MG", "f/2", "BG-11", "AF-6", "VT", "ESM", "MA", "URO")

#: Crops of NARO: (taxon, cultivars as (romaji, Japanese)).
NARO_CROPS: tuple[tuple[Taxon, tuple[tuple[str, str], ...]], ...] = (
    (Taxon("Oryza sativa", 4530, "イネ", "Poaceae"), (("Nipponbare", "日本晴"), ("Koshihikari", "コシヒカリ"),
     ("Hitomebore", "ひとめぼれ"), ("Akitakomachi", "あきたこまち"), ("Sasanishiki", "ササニシキ"),
     ("Hinohikari", "ヒノヒカリ"), ("Kasalath", "カサラス"), ("IR64", "IR64"), ("Yumepirika", "ゆめぴりか"))),
    (Taxon("Glycine max", 3847, "ダイズ", "Fabaceae"), (("Enrei", "エンレイ"), ("Fukuyutaka", "フクユタカ"),
     ("Tachinagaha", "タチナガハ"), ("Suzuyutaka", "スズユタカ"))),
    (Taxon("Triticum aestivum", 4565, "コムギ", "Poaceae"), (("Norin 61", "農林61号"), ("Chinese Spring", "チャイニーズスプリング"),
     ("Haruyokoi", "はるよ恋"), ("Kitahonami", "きたほなみ"))),
    (Taxon("Hordeum vulgare", 4513, "オオムギ", "Poaceae"), (("Haruna Nijo", "はるな二条"), ("Golden Promise", "ゴールデンプロミス"))),
    (Taxon("Zea mays", 4577, "トウモロコシ", "Poaceae"), (("B73", "B73"), ("Kōshū", "甲州在来"))),
    (Taxon("Solanum lycopersicum", 4081, "トマト", "Solanaceae"), (("Momotaro", "桃太郎"), ("Micro-Tom", "マイクロトム"))),
    (Taxon("Vigna angularis", 3914, "アズキ", "Fabaceae"), (("Dainagon", "大納言"), ("Erimo", "エリモショウズ"))),
    (Taxon("Fagopyrum esculentum", 3617, "ソバ", "Polygonaceae"), (("Botansoba", "牡丹そば"), ("Kitawasesoba", "キタワセソバ"))),
    (Taxon("Ipomoea batatas", 4120, "サツマイモ", "Convolvulaceae"), (("Beniazuma", "ベニアズマ"), ("Koganesengan", "コガネセンガン"))),
    (Taxon("Camellia sinensis", 4442, "チャ", "Theaceae"), (("Yabukita", "やぶきた"), ("Benifuki", "べにふうき"))),
    (Taxon("Malus domestica", 3750, "リンゴ", "Rosaceae"), (("Fuji", "ふじ"), ("Tsugaru", "つがる"))),
    (Taxon("Citrus unshiu", 55188, "ウンシュウミカン", "Rutaceae"), (("Miyagawa-wase", "宮川早生"), ("Aoshima", "青島温州"))),
)

#: Prefectures for landrace origins.
PREFECTURES: tuple[str, ...] = ("北海道", "青森県", "秋田県", "新潟県", "茨城県", "長野県", "静岡県", "愛知県", "滋賀県",
                                "岡山県", "高知県", "福岡県", "熊本県", "鹿児島県", "沖縄県")

#: Countries of origin for foreign accessions: (English, Japanese, ISO 3166 alpha-2).
COUNTRIES: tuple[tuple[str, str, str], ...] = (
    ("Japan", "日本", "JP"), ("Philippines", "フィリピン", "PH"), ("India", "インド", "IN"), ("China", "中国", "CN"),
    ("Indonesia", "インドネシア", "ID"), ("United States", "アメリカ合衆国", "US"), ("Korea", "韓国", "KR"),
    ("Nepal", "ネパール", "NP"), ("Thailand", "タイ", "TH"),
)

#: Medicinal plants of the NIBIOHN Research Center for Medicinal Plant Resources: (taxon, crude drug).
MEDICINAL_PLANTS: tuple[tuple[Taxon, str], ...] = tuple((Taxon(*row[:4]), row[4]) for row in _ORGANISMS["medicinal_plants"])

#: Arabidopsis genes (AGI locus codes) for RIKEN mutant lines: (symbol, locus, phenotype en, ja).
ARABIDOPSIS_GENES: tuple[tuple[str, str, str, str], ...] = (
    ("PHYB", "AT2G18790", "long hypocotyl under red light", "赤色光下で胚軸伸長"),
    ("FLC", "AT5G10140", "early flowering", "早咲き"),
    ("CO", "AT5G15840", "late flowering in long days", "長日条件で遅咲き"),
    ("GAI", "AT1G14920", "dwarf, gibberellin insensitive", "矮性・ジベレリン非感受性"),
    ("ABI1", "AT4G26080", "abscisic acid insensitive", "アブシジン酸非感受性"),
    ("BRI1", "AT4G39400", "brassinosteroid insensitive dwarf", "ブラシノステロイド非感受性矮性"),
    ("PIN1", "AT1G73590", "pin-formed inflorescence", "ピン状花序"),
    ("LFY", "AT5G61850", "leafy flowers", "花の葉化"),
    ("AP1", "AT1G69120", "abnormal floral organs", "花器官異常"),
    ("CRY1", "AT4G08920", "long hypocotyl under blue light", "青色光下で胚軸伸長"),
    ("FT", "AT1G65480", "late flowering", "遅咲き"),
    ("GL1", "AT3G27920", "glabrous leaves", "無毛"),
    ("TT4", "AT5G13930", "transparent testa", "種皮透明"),
)
