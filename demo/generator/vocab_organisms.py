"""Microbes, algae, crops and medicinal plants with real names and NCBI taxonomy ids."""

from __future__ import annotations

from typing import NamedTuple


class Taxon(NamedTuple):
    """An organism as catalogs name it."""

    name: str
    taxon_id: int
    name_ja: str
    group: str


#: Microbes held by RIKEN JCM (bacteria, archaea, yeasts, fungi).
JCM_TAXA: tuple[Taxon, ...] = (
    Taxon("Escherichia coli", 562, "大腸菌", "Bacteria"),
    Taxon("Bacillus subtilis", 1423, "枯草菌", "Bacteria"),
    Taxon("Lactobacillus casei", 1582, "乳酸桿菌", "Bacteria"),
    Taxon("Saccharomyces cerevisiae", 4932, "出芽酵母", "Fungi"),
    Taxon("Lactobacillus acidophilus", 1579, "アシドフィルス菌", "Bacteria"),
    Taxon("Bifidobacterium longum", 216816, "ビフィズス菌", "Bacteria"),
    Taxon("Streptomyces griseus", 1911, "放線菌", "Bacteria"),
    Taxon("Aspergillus oryzae", 5062, "ニホンコウジカビ", "Fungi"),
    Taxon("Pseudomonas aeruginosa", 287, "緑膿菌", "Bacteria"),
    Taxon("Staphylococcus aureus", 1280, "黄色ブドウ球菌", "Bacteria"),
    Taxon("Clostridium butyricum", 1492, "酪酸菌", "Bacteria"),
    Taxon("Corynebacterium glutamicum", 1718, "グルタミン酸生産菌", "Bacteria"),
    Taxon("Lactococcus lactis", 1358, "乳酸球菌", "Bacteria"),
    Taxon("Thermus thermophilus", 274, "高度好熱菌", "Bacteria"),
    Taxon("Zygosaccharomyces rouxii", 4956, "耐塩性酵母", "Fungi"),
    Taxon("Halobacterium salinarum", 2242, "高度好塩菌", "Archaea"),
    Taxon("Methanothermobacter thermautotrophicus", 145262, "メタン生成古細菌", "Archaea"),
    Taxon("Schizosaccharomyces pombe", 4896, "分裂酵母", "Fungi"),
)

#: Microbes held by NARO (MAFF): mostly plant pathogens and agricultural microbes.
MAFF_TAXA: tuple[Taxon, ...] = (
    Taxon("Xanthomonas oryzae pv. oryzae", 64187, "イネ白葉枯病菌", "Bacteria"),
    Taxon("Pyricularia oryzae", 318829, "イネいもち病菌", "Fungi"),
    Taxon("Fusarium oxysporum", 5507, "フザリウム・オキシスポラム", "Fungi"),
    Taxon("Ralstonia solanacearum", 305, "青枯病菌", "Bacteria"),
    Taxon("Pseudomonas syringae", 317, "シュードモナス・シリンゲ", "Bacteria"),
    Taxon("Botrytis cinerea", 40559, "灰色かび病菌", "Fungi"),
    Taxon("Rhizobium leguminosarum", 384, "根粒菌", "Bacteria"),
    Taxon("Bradyrhizobium japonicum", 375, "ダイズ根粒菌", "Bacteria"),
    Taxon("Agrobacterium tumefaciens", 358, "アグロバクテリウム", "Bacteria"),
    Taxon("Trichoderma harzianum", 5544, "トリコデルマ", "Fungi"),
    Taxon("Bacillus thuringiensis", 1428, "BT菌", "Bacteria"),
    Taxon("Erwinia amylovora", 552, "火傷病菌", "Bacteria"),
)

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
NIES_TAXA: tuple[tuple[Taxon, str], ...] = (
    (Taxon("Chlamydomonas reinhardtii", 3055, "コナミドリムシ", "green algae"), "Chlorophyceae"),
    (Taxon("Microcystis aeruginosa", 1126, "ミクロキスティス・エルギノーサ（アオコ）", "cyanobacteria"), "Cyanophyceae"),
    (Taxon("Euglena gracilis", 3039, "ミドリムシ", "euglenoids"), "Euglenophyceae"),
    (Taxon("Chlorella vulgaris", 3077, "クロレラ", "green algae"), "Trebouxiophyceae"),
    (Taxon("Synechocystis sp. PCC 6803", 1148, "シネコシスティス", "cyanobacteria"), "Cyanophyceae"),
    (Taxon("Haematococcus lacustris", 44745, "ヘマトコッカス", "green algae"), "Chlorophyceae"),
    (Taxon("Nannochloropsis oceanica", 145522, "ナンノクロロプシス", "eustigmatophytes"), "Eustigmatophyceae"),
    (Taxon("Phaeodactylum tricornutum", 2850, "フェオダクチラム（珪藻）", "diatoms"), "Bacillariophyceae"),
    (Taxon("Cyanidioschyzon merolae", 45157, "シアニディオシゾン", "red algae"), "Cyanidiophyceae"),
    (Taxon("Volvox carteri", 3067, "ボルボックス", "green algae"), "Chlorophyceae"),
    (Taxon("Arthrospira platensis", 118562, "スピルリナ", "cyanobacteria"), "Cyanophyceae"),
    (Taxon("Botryococcus braunii", 38881, "ボトリオコッカス", "green algae"), "Trebouxiophyceae"),
    (Taxon("Emiliania huxleyi", 2903, "エミリアニア・ハクスレイ（円石藻）", "haptophytes"), "Prymnesiophyceae"),
    (Taxon("Thalassiosira pseudonana", 35128, "タラシオシラ（珪藻）", "diatoms"), "Coscinodiscophyceae"),
    (Taxon("Tetrahymena thermophila", 5911, "テトラヒメナ", "ciliates"), "Oligohymenophorea"),
    (Taxon("Paramecium tetraurelia", 5888, "ゾウリムシ", "ciliates"), "Oligohymenophorea"),
    (Taxon("Nostoc sp. PCC 7120", 103690, "アナベナ", "cyanobacteria"), "Cyanophyceae"),
    (Taxon("Gonium pectorale", 33097, "ゴニウム", "green algae"), "Chlorophyceae"),
)

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
MEDICINAL_PLANTS: tuple[tuple[Taxon, str], ...] = (
    (Taxon("Glycyrrhiza uralensis", 74613, "ウラルカンゾウ", "Fabaceae"), "甘草 (Glycyrrhizae Radix)"),
    (Taxon("Panax ginseng", 4054, "オタネニンジン（朝鮮人参）", "Araliaceae"), "人参 (Ginseng Radix)"),
    (Taxon("Paeonia lactiflora", 35924, "シャクヤク", "Paeoniaceae"), "芍薬 (Paeoniae Radix)"),
    (Taxon("Scutellaria baicalensis", 65409, "コガネバナ", "Lamiaceae"), "黄芩 (Scutellariae Radix)"),
    (Taxon("Coptis japonica", 3442, "オウレン", "Ranunculaceae"), "黄連 (Coptidis Rhizoma)"),
    (Taxon("Ephedra sinica", 33152, "シナマオウ", "Ephedraceae"), "麻黄 (Ephedrae Herba)"),
    (Taxon("Zingiber officinale", 94328, "ショウガ", "Zingiberaceae"), "生姜 (Zingiberis Rhizoma)"),
    (Taxon("Artemisia annua", 35608, "クソニンジン", "Asteraceae"), "青蒿 (Artemisiae Annuae Herba)"),
    (Taxon("Papaver somniferum", 3469, "ケシ", "Papaveraceae"), "阿片 (Opium)"),
    (Taxon("Catharanthus roseus", 4058, "ニチニチソウ", "Apocynaceae"), "—"),
    (Taxon("Pueraria montana var. lobata", 3893, "クズ", "Fabaceae"), "葛根 (Puerariae Radix)"),
    (Taxon("Rehmannia glutinosa", 99300, "アカヤジオウ", "Plantaginaceae"), "地黄 (Rehmanniae Radix)"),
)

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
