"""Build the demonstration annotations of the seed article.

    .venv/bin/python seeds/build_demo.py [OUTPUT]

writes ``seeds/syria-troops-iraq-border.w3c.json`` (or OUTPUT), which a new database
loads on first start (``seeds/manifest.json``). The annotations are written
down here as an analyst would make them, found in the text by their quotes,
stored through the desk's import into a scratch database and written with
the W3C export, so the file is exactly what the app itself would export.
Every UUID is a uuid5 of a stable key and every time is fixed: running it
again gives the same bytes.

How the article is tagged
-------------------------
* Every place named is a Location (the map shows all of them). Where a
  country or a capital stands for a state or a government ("Syria has sent
  troops", "Baghdad and Damascus have taken steps"), it is also an Actor:
  the state (Syria, Iraq) or the government (Syrian government, Iraqi
  government, whose aliases include the capital's name). Adjectives
  ("Iranian drones", "Israeli air power") are Actor mentions of the state.
* The Syrian sources ("two security officials in Damascus", "officials",
  "one official", "a Syrian official") are taken to be the same pair and are
  one actor; so are the Iraqi ones ("An Iraqi source", "a security official",
  "the source", "the official").
* Aliases are names (other spellings, acronyms, other scripts, a capital
  standing for its government), never common nouns: "the official",
  "militias", "the source" or "new authorities" are tagged as mentions of
  their actor, but as aliases they would make *Tag all occurrences* propose
  every official, militia and source in any text.
* Claims are the sentence or clause that carries the claim, without the
  attribution. Each has its source (and the source's mention), a stance, an
  Admiralty grading whose reasoning is in the likelihood note, an ICD 203
  likelihood, what it is about, and links where claims bear on each other.
  Same-source "corroboration" is recorded but the note says it is not
  independent.
"""

from __future__ import annotations

import json
import sys
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from annotator.core.entities import check_place, check_type, clean_aliases  # noqa: E402
from annotator.core.grading import validate_claim_fields  # noqa: E402
from annotator.core.matching import NameFinder  # noqa: E402
from annotator.core.model import Entity, LabelKind  # noqa: E402
from annotator.core.offsets import make_quote  # noqa: E402
from annotator.core.services import AnnotationDraft, ClaimDraft, Desk, EntityRef, LinkDraft  # noqa: E402
from annotator.io.documents import load_document_file  # noqa: E402
from annotator.io.seeds import seeds_dir  # noqa: E402
from annotator.io.w3c import w3c_json  # noqa: E402
from annotator.store.database import open_database  # noqa: E402

NAMESPACE = uuid.UUID("5f0c2d1e-7a43-5b8e-9d61-a2c4e8f00d01")
CREATOR = "Annotator demo"
T0 = datetime(2025, 6, 23, 9, 0, tzinfo=UTC)  # the analyst's session, the week the article appeared
SEED = "syria-troops-iraq-border"
A, L = LabelKind.ACTOR, LabelKind.LOCATION


def uid(key: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, key)


DOC_ID = uid(f"document:{SEED}")

# key: (kind, name, type, aliases, note, latitude, longitude, country code)
ENTITIES: dict[str, tuple] = {
    # --- actors ---
    "syria": (A, "Syria", "state", ["Syrian Arab Republic", "سوريا"], "The state, where it acts or is described as a polity.", None, None, "SY"),
    "syrian_gov": (A, "Syrian government", "government_body", ["Damascus", "الحكومة السورية"],
                   "The post-Assad government, formed from Hayat Tahrir Al Sham. 'Damascus' standing for it is tagged as this actor "
                   "and as the city.", None, None, "SY"),
    "syrian_forces": (A, "Syrian security forces", "government_body", ["Syrian army", "Syrian fighters", "Syrian troops"],
                      "The new government's army and security forces, including the units sent to the border.", None, None, "SY"),
    "sy_officials": (A, "two security officials in Damascus", "official", ["Syrian security officials"],
                     "Anonymous; spoke to The National. 'One official' and 'a Syrian official' are taken to be one of the two.", None, None, "SY"),
    "the_national": (A, "The National", "media", ["thenationalnews.com"],
                     "English-language daily published in Abu Dhabi; the publisher of this report.", None, None, "AE"),
    "pmf": (A, "Popular Mobilisation Forces", "armed_group",
            ["Hashd Al Shaabi", "PMF", "الحشد الشعبي", "Popular Mobilization Forces"],
            "Iraqi state-sanctioned umbrella of mostly Shiite armed groups, many backed by Iran.", None, None, "IQ"),
    "iraqi_militias": (A, "pro-Iran Iraqi militias", "armed_group", ["Iraqi militias", "Shiite militias in Iraq"],
                       "The Iran-aligned Iraqi armed groups in general; overlaps with the PMF but kept apart because the sources "
                       "use the general term.", None, None, "IQ"),
    "iq_source": (A, "Iraqi security source", "official", ["An Iraqi source", "The Iraqi source"],
                  "Unnamed Iraqi security official who spoke to The National.", None, None, "IQ"),
    "sdf": (A, "Syrian Democratic Forces", "armed_group", ["SDF", "قوات سوريا الديمقراطية"],
            "US-backed, mostly Kurdish; holds most of north-east Syria east of the Euphrates.", None, None, "SY"),
    "hts": (A, "Hayat Tahrir Al Sham", "armed_group", ["HTS", "هيئة تحرير الشام"],
            "Umbrella of anti-Assad Sunni groups that took Damascus in December 2024; the new government was formed from it.", None, None, "SY"),
    "iran": (A, "Iran", "state", ["Iranian", "Islamic Republic of Iran", "إيران"], "", None, None, "IR"),
    "israel": (A, "Israel", "state", ["Israeli", "إسرائيل"], "", None, None, "IL"),
    "iraq": (A, "Iraq", "state", ["Republic of Iraq", "العراق"], "", None, None, "IQ"),
    "iraqi_gov": (A, "Iraqi government", "government_body", ["Baghdad", "الحكومة العراقية"], "'Baghdad' standing for the government.", None, None, "IQ"),
    "us": (A, "United States", "state", ["US", "USA", "الولايات المتحدة"], "", None, None, "US"),
    "us_forces": (A, "US forces", "government_body", ["US troops"], "US military personnel in Syria and Iraq.", None, None, "US"),
    "coalition": (A, "US-led coalition", "organisation", ["Global Coalition against Daesh", "Operation Inherent Resolve"],
                  "The international coalition against ISIS, led by the US.", None, None, ""),
    "assad": (A, "Bashar Al Assad", "person", ["Mr Al Assad", "Assad", "بشار الأسد"], "President of Syria until December 2024.", None, None, "SY"),
    "assad_regime": (A, "Assad regime", "government_body", ["the Assad regime"], "The government of Syria until December 2024.", None, None, "SY"),
    "al_qaeda": (A, "al Qaeda", "armed_group", ["Al Qaeda", "القاعدة"], "", None, None, ""),
    "regional_sources": (A, "regional sources", "", [], "Unnamed; their affiliation is not given, so no type.", None, None, ""),
    "us_officials": (A, "US officials", "official", [], "Unnamed US officials.", None, None, "US"),
    "militia_leaders": (A, "Iraqi militia leaders", "official", ["Iraq’s most powerful militia leaders"], "Unnamed.", None, None, "IQ"),
    "one_militia": (A, "unnamed Iraqi militia", "armed_group", [], "Not named in the report.", None, None, "IQ"),
    "kurds": (A, "Kurds", "population_group", ["Kurdish"], "", None, None, ""),
    "sunnis": (A, "Sunni Muslims", "population_group", ["Sunni"], "", None, None, ""),
    # --- locations ---
    "syria_loc": (L, "Syria", "country", ["سوريا"], "Point: GeoNames' for the country.", 35.0, 38.0, "SY"),
    "iraq_loc": (L, "Iraq", "country", ["العراق"], "Point: GeoNames' for the country.", 33.0, 44.0, "IQ"),
    "iran_loc": (L, "Iran", "country", ["إيران"], "Point: GeoNames' for the country.", 32.0, 53.0, "IR"),
    "israel_loc": (L, "Israel", "country", ["إسرائيل"], "Point: GeoNames' for the country.", 31.5, 34.75, "IL"),
    "damascus": (L, "Damascus", "city", ["دمشق"], "", 33.5102, 36.29128, "SY"),
    "baghdad": (L, "Baghdad", "city", ["بغداد"], "", 33.34058, 44.40088, "IQ"),
    "palmyra": (L, "Palmyra", "city", ["Tadmur", "تدمر"],
                "GeoNames: Tadmur. The report's 'central region of Palmyra' is the desert around the city.", 34.5624, 38.28402, "SY"),
    "euphrates": (L, "Euphrates River Valley", "terrain", ["Euphrates valley", "وادي الفرات"],
                  "Approximate point on the Syrian stretch (Raqqa to Al Bukamal), near Deir ez-Zor.", 35.33, 40.14, "SY"),
    "bukamal": (L, "Al Bukamal border crossing", "border_crossing", ["Al Bukamal", "Albu Kamal", "Abu Kamal", "Al Qaim crossing", "البوكمال"],
                "Crossing between Al Bukamal (Syria) and Al Qaim (Iraq) on the Euphrates.", 34.45, 40.93, "SY"),
    "east_syria": (L, "east Syria", "region", ["eastern Syria"], "Approximate point: Deir ez-Zor province.", 35.0, 40.5, "SY"),
    "middle_east": (L, "Middle East", "region", ["الشرق الأوسط"], "Approximate centre; a region of several countries, so no country code.", 29.0, 42.0, ""),
}  # fmt: skip

# Mentions: (entity, exact, context) — the context is unique in the text and holds the mention.
MENTIONS: list[tuple[str, str, str]] = [
    ("syria", "Syria", "Syria has sent 3,000"),
    ("iraqi_militias", "pro-Iran Iraqi militias", "pro-Iran Iraqi militias"),
    ("sy_officials", "two security officials in Damascus", "two security officials in Damascus"),
    ("the_national", "The National", "told The National"),
    ("syrian_gov", "new authorities", "new authorities"),
    ("assad", "Bashar Al Assad", "Bashar Al Assad"),
    ("syrian_forces", "Syrian fighters", "Syrian fighters"),
    ("iran", "Iranian", "Iranian-backed"),
    ("pmf", "Popular Mobilisation Forces", "Popular Mobilisation Forces"),
    ("pmf", "Hashd Al Shaabi", "Hashd Al Shaabi"),
    ("israel", "Israel", "between Israel and Iran"),
    ("iran", "Iran", "Israel and Iran broke"),
    ("sy_officials", "officials", "broke out, officials said"),
    ("iq_source", "An Iraqi source", "An Iraqi source"),
    ("sy_officials", "one official", "one official said"),
    ("sdf", "Syrian Democratic Forces", "Syrian Democratic Forces"),
    ("sdf", "SDF", "(SDF)"),
    ("us", "US", "US-backed"),
    ("kurds", "Kurdish", "Kurdish"),
    ("syrian_gov", "the government", "control of the government"),
    ("sy_officials", "a Syrian official", "a Syrian official"),
    ("iran", "Iran", "close to us Iran is"),
    ("syria", "Syria", "Syria, a mostly Sunni"),
    ("sunnis", "Sunni", "mostly Sunni"),
    ("syrian_gov", "government", "ruled by a government"),
    ("hts", "Hayat Tahrir Al Sham", "created from Hayat Tahrir Al Sham"),
    ("al_qaeda", "al Qaeda", "al Qaeda"),
    ("syrian_gov", "The government", "The government is opposed"),
    ("iraqi_militias", "Shiite militias in Iraq", "Shiite militias in Iraq"),
    ("iran", "Iranian", "Iranian influence"),
    ("iraqi_gov", "Baghdad", "Baghdad and Damascus"),
    ("syrian_gov", "Damascus", "Baghdad and Damascus"),
    ("iq_source", "The Iraqi source", "The Iraqi source who dismissed"),
    ("iq_source", "a security official", "a security official"),
    ("syrian_gov", "Syrians", "“Syrians have not"),
    ("sdf", "SDF", "pressure on the SDF"),
    ("sdf", "SDF", "the SDF clashed"),
    ("syrian_forces", "Syrian security forces", "Syrian security forces"),
    ("iraqi_militias", "militias", "easy for militias to cross the border to Syria now"),
    ("iq_source", "the source", "ones,” the source said"),
    ("syrian_forces", "Syrian army", "Syrian army"),
    ("coalition", "US-led coalition", "US-led coalition"),
    ("israel", "Israel", "coalition, and Israel"),
    ("iq_source", "The source", "The source also spoke"),
    ("iraq", "Iraq", "co-operation between Iraq and Syria"),
    ("syria", "Syria", "between Iraq and Syria, particularly"),
    ("syrian_gov", "Syrian side", "with the Syrian side mainly"),
    ("syria", "Syria", "Syria has played"),
    ("iran", "Iran", "Iran-Israeli"),
    ("israel", "Israeli", "Iran-Israeli"),
    ("us_forces", "US troops", "US troops, who"),
    ("iran", "Iranian", "Iranian drones"),
    ("regional_sources", "regional sources", "regional sources"),
    ("sdf", "SDF", "SDF controlled"),
    ("syrian_gov", "Damascus", "control of Damascus"),
    ("iraqi_militias", "Iraqi militias", "Iraqi militias launched"),
    ("us_forces", "US forces", "US forces stationed"),
    ("militia_leaders", "Iraq’s most powerful militia leaders", "Iraq’s most powerful militia leaders"),
    ("us_forces", "US troops", "US troops based in Iraq"),
    ("israel", "Israel", "Israel's behalf"),
    ("one_militia", "one militia", "one militia said"),
    ("israel", "Israel", "attack Israel"),
    ("syria", "Syria", "Syria has been one"),
    ("israel", "Israeli", "Israeli attack"),
    ("syrian_gov", "Damascus", "Strengthening Damascus"),
    ("iran", "Iran", "bulwark against Iran"),
    ("us", "US", "the US began"),
    ("syrian_gov", "Damascus", "relations with Damascus"),
    ("us_officials", "US officials", "US officials said"),
    ("assad_regime", "Assad regime", "Assad regime"),
    ("iraqi_militias", "militias", "easy for militias to cross the border to Syria, because"),
    ("us", "US", "the US and Israeli"),
    ("israel", "Israeli", "Israeli air power"),
    ("iq_source", "the Iraqi source", "the Iraqi source said"),
    ("iraqi_militias", "Iraqi militias", "The Iraqi militias were"),
    ("iran", "Iranian", "Iranian backing"),
    ("assad", "Mr Al Assad", "Mr Al Assad"),
    ("hts", "Hayat Tahrir Al Sham", "when Hayat Tahrir Al Sham"),
    ("syrian_gov", "Syrian side", "with the Syrian side”"),
    ("iq_source", "the official", "the official said “militias"),
    ("iraqi_militias", "militias", "“militias have no foothold"),
    # places
    ("damascus", "Damascus", "officials in Damascus"),
    ("iran_loc", "Iran", "Israel and Iran broke"),
    ("israel_loc", "Israel", "between Israel and Iran"),
    ("palmyra", "Palmyra", "region of Palmyra"),
    ("euphrates", "Euphrates River Valley", "Euphrates River Valley"),
    ("iran_loc", "Iran", "close to us Iran is"),
    ("damascus", "Damascus", "Baghdad and Damascus"),
    ("baghdad", "Baghdad", "Baghdad and Damascus"),
    ("bukamal", "Al Bukamal border crossing", "Al Bukamal border crossing"),
    ("israel_loc", "Israel", "coalition, and Israel"),
    ("east_syria", "east Syria", "east Syria"),
    ("israel_loc", "Israel", "aimed at Israel"),
    ("damascus", "Damascus", "control of Damascus"),
    ("israel_loc", "Israel", "Israel's behalf"),
    ("israel_loc", "Israel", "attack Israel"),
    ("middle_east", "Middle East", "Middle East"),
    ("damascus", "Damascus", "Strengthening Damascus"),
    ("iran_loc", "Iran", "bulwark against Iran"),
    ("damascus", "Damascus", "relations with Damascus"),
    ("damascus", "Damascus", "rolled on Damascus"),
]
ALL_OCCURRENCES = {"syria_loc": ("Syria", ["east Syria"]), "iraq_loc": ("Iraq", [])}
"""Places tagged wherever their name appears as a whole word (except inside the spans listed)."""

# Claims: key -> (exact, source, source mention (entity, context), reliability, credibility, likelihood, stance,
#                 note, about, links [(relation, other claim)])
CLAIMS: dict[str, tuple] = {
    "troops": (
        "Syria has sent 3,000 troops to the border with Iraq to deter infiltration by pro-Iran Iraqi militias",
        "sy_officials", "two security officials in Damascus", "C", "2", "likely", "asserted",
        "Anonymous Syrian security officials: placed to know, but speaking for an interested government (C). The deployment "
        "fits the detail they give (units from Palmyra and the Euphrates valley) but no independent source confirms it (2). "
        "That troops were sent is likely; the stated purpose is disputed by the Iraqi source.",
        ["syria", "syrian_forces", "iraqi_militias", "iraq_loc"], []),
    "skirmish": (
        "On Saturday, Syrian fighters skirmished with the Iranian-backed Iraqi Popular Mobilisation Forces – Hashd Al Shaabi – "
        "a day after the aerial war between Israel and Iran broke out",
        "sy_officials", "broke out, officials said", "C", "3", "roughly even chance", "asserted",
        "Same Syrian officials (C). Not confirmed by the Iraqi side, whose source places Saturday's clash near Al Bukamal "
        "with the SDF, not the PMF; both may have happened (3).",
        ["syrian_forces", "pmf"], []),
    "dismissed": (
        "An Iraqi source dismissed any likelihood of militia movements between Iraq and Syria",
        "iq_source", "An Iraqi source", "C", "3", "roughly even chance", "denied",
        "Anonymous Iraqi security official; Baghdad has an interest in playing militia activity down (C). Consistent with his "
        "later points, but those are his own; the Syrian officials say the opposite (3).",
        ["iraqi_militias", "iraq_loc", "syria_loc"], [("contradicts", "troops")]),
    "control": (
        "We are asserting our control over the border",
        "sy_officials", "a Syrian official", "C", "2", "likely", "asserted",
        "One of the Syrian officials (C); matches the deployment described (2).",
        ["syrian_gov"], []),
    "reminder": (
        "Saturday's fight, he said, was brief and intended to “remind us how close to us Iran is”",
        "sy_officials", "a Syrian official", "C", "3", "roughly even chance", "asserted",
        "The Syrian official's reading of the militias' intent; not checkable (3).",
        ["pmf", "iran"], []),
    "not_notified": (
        "“Syrians have not expressed any such concerns or notified us of any deployments for their troops”",
        "iq_source", "a security official", "C", "3", "roughly even chance", "denied",
        "The Iraqi source on his own government's contacts (C); says nothing of whether the deployment happened (3).",
        ["syrian_gov", "iraq"], []),
    "sdf_pressure": (
        "the purpose of Syrian troop movement to the border is to put pressure on the SDF",
        "iq_source", "a security official", "C", "4", "unlikely", "speculated",
        "Offered as a suggestion (C). Units were moved away from the SDF frontline on the Euphrates to the border, which "
        "argues against it (4). An alternative to the Syrian officials' stated purpose.",
        ["syrian_forces", "sdf"], [("contradicts", "troops")]),
    "sdf_clash": (
        "the SDF clashed on Saturday with Syrian security forces near the Al Bukamal border crossing between Iraq and Syria",
        "iq_source", "a security official", "C", "3", "roughly even chance", "asserted",
        "The Iraqi source (C); a clash near the crossing is plausible, but no other source reports it (3).",
        ["sdf", "syrian_forces", "bukamal"], []),
    "hard_to_cross": (
        "It's not easy for militias to cross the border to Syria now either through the official border crossings or "
        "through unofficial ones",
        "iq_source", "ones,” the source said", "C", "2", "likely", "asserted",
        "The Iraqi source (C); consistent with the new government's hostility to Iran-aligned groups (2).",
        ["iraqi_militias", "syria_loc"], [("corroborates", "dismissed")]),
    "deterrence": (
        "the presence of the Syrian army, the US-led coalition, and Israel would be likely to deter any such attempts at "
        "Syrian borders",
        "iq_source", "ones,” the source said", "C", "3", "likely", "speculated",
        "The Iraqi source's assessment, not a report of fact (C3).",
        ["syrian_forces", "coalition", "israel", "iraqi_militias"], []),
    "cooperation": (
        "“We have several understandings and co-operation with the Syrian side mainly for controlling and securing the borders,”",
        "iq_source", "The source also spoke", "C", "2", "likely", "asserted",
        "The Iraqi source on his own side's arrangements (C); fits the improving relations The National reports (2).",
        ["iraq", "syrian_gov"], [("corroborates", "relations")]),
    "relations": (
        "Baghdad and Damascus have taken steps to improve relations in the past two months",
        "the_national", "told The National", "B", "2", "very likely", "asserted",
        "The National's own reporting (B); in line with the Iraqi source's account of co-operation (2).",
        ["iraqi_gov", "syrian_gov"], []),
    "drones": (
        "US troops, who are mainly based in east Syria, have fired on Iranian drones aimed at Israel through Syrian airspace",
        "regional_sources", "regional sources", "F", "3", "likely", "reported",
        "Unidentified 'regional sources': reliability cannot be judged (F). Plausible during the Israel–Iran war, "
        "unconfirmed here (3).",
        ["us_forces", "iran", "israel", "east_syria"], []),
    "past_attacks": (
        "Iraqi militias launched drone and missile attacks against US forces stationed in Syria during the 13-year civil war",
        "the_national", "told The National", "B", "1", "almost certain", "asserted",
        "The National's background (B); the attacks are widely documented (1).",
        ["iraqi_militias", "us_forces", "syria_loc"], []),
    "conditional": (
        "their forces would enter the conflict only if US troops based in Iraq intervened on Israel's behalf",
        "militia_leaders", "Iraq’s most powerful militia leaders", "D", "3", "roughly even chance", "asserted",
        "Militia leaders' public statements serve their aims (D); a statement of intent, possibly true (3).",
        ["militia_leaders", "us_forces", "israel"], []),
    "threat": (
        "it will attack Israel and “anyone who supports it” in Iraq and the broader region",
        "one_militia", "one militia said", "F", "4", "unlikely", "asserted",
        "An unnamed militia: reliability cannot be judged (F). A threat beyond its demonstrated reach (4).",
        ["one_militia", "israel", "iraq_loc"], []),
    "not_condemned": (
        "Syria has been one of few countries in the Middle East that have not condemned the Israeli attack",
        "the_national", "told The National", "B", "2", "very likely", "asserted",
        "The National's own reporting (B); checkable against public statements (2).",
        ["syria", "israel", "middle_east"], []),
    "normalisation": (
        "Strengthening Damascus as a bulwark against Iran and possibly drawing the country into the Abraham Accords were "
        "the main reasons the US began normalisating relations with Damascus last month",
        "us_officials", "US officials said", "B", "3", "likely", "asserted",
        "US officials on their own government's motives: placed to know (B), but stated motives are not the whole of them (3).",
        ["us", "syrian_gov", "iran"], []),
    "no_longer_easy": (
        "Since the fall of the Assad regime, it is no longer easy for militias to cross the border to Syria, because they "
        "would face hostile local forces, as well as the US and Israeli air power",
        "iq_source", "the Iraqi source said", "C", "2", "likely", "asserted",
        "The Iraqi source again (C); the same point as before, so it corroborates nothing independently (2).",
        ["iraqi_militias", "syria_loc"], [("corroborates", "hard_to_cross")]),
    "withdrew": (
        "The Iraqi militias were a main component of Iranian backing for Mr Al Assad's regime between 2011 and 2024, but they "
        "withdrew when Hayat Tahrir Al Sham forces rolled on Damascus in December",
        "the_national", "told The National", "B", "2", "very likely", "asserted",
        "The National's background (B); the withdrawal was widely reported at the time (2).",
        ["iraqi_militias", "assad", "hts"], [("corroborates", "no_foothold")]),
    "no_foothold": (
        "militias have no foothold in Syria any more and we don't think they even think about it now.",
        "iq_source", "the official said “militias", "C", "3", "likely", "asserted",
        "The Iraqi source (C); the militias' withdrawal in December (The National) supports the first half; their "
        "intentions are his guess (3).",
        ["iraqi_militias", "syria_loc"], [("corroborates", "dismissed")]),
}  # fmt: skip


def find(text: str, exact: str, context: str) -> tuple[int, int]:
    at = text.find(context)
    if at < 0 or text.find(context, at + 1) >= 0:
        raise SystemExit(f"context {context!r} is not in the text exactly once")
    inner = context.find(exact)
    if inner < 0:
        raise SystemExit(f"{exact!r} is not inside its context {context!r}")
    return at + inner, at + inner + len(exact)


def entity_record(key: str, when: datetime) -> Entity:
    kind, name, etype, aliases, note, lat, lon, code = ENTITIES[key]
    lat, lon, code = check_place(lat, lon, code)
    return Entity(
        id=uid(f"entity:{key}"), kind=kind, name=name, type=check_type(kind, etype), aliases=clean_aliases(name, aliases),
        note=note, latitude=lat, longitude=lon, country_code=code, creator=CREATOR, created=when, modified=when,
    )  # fmt: skip


def build_drafts(text: str) -> list[AnnotationDraft]:
    records = {key: entity_record(key, T0 + timedelta(seconds=i)) for i, key in enumerate(ENTITIES)}
    spans: list[tuple[str, str, int, int]] = []  # label, key, start, end
    for key, exact, context in MENTIONS:
        spans.append(("Actor" if ENTITIES[key][0] is A else "Location", key, *find(text, exact, context)))
    for key, (name, inside) in ALL_OCCURRENCES.items():
        skip = [find(text, ctx, ctx) for ctx in inside]
        for m in NameFinder([name]).find(text):
            if not any(s <= m.start and m.end <= e for s, e in skip):
                spans.append(("Location", key, m.start, m.end))
    for key, (exact, *_rest) in CLAIMS.items():
        spans.append(("Claim", key, *find(text, exact, exact)))
    spans.sort(key=lambda s: (s[2], -s[3], s[0], s[1]))
    if len({(label, s, e) for label, _k, s, e in spans}) != len(spans):
        raise SystemExit("a span is tagged twice with the same label")

    ann_ids = {(label, key, s): uid(f"annotation:{label}:{s}:{e}") for label, key, s, e in spans}
    claim_ann = {key: ann_ids[("Claim", key, s)] for label, key, s, _e in spans if label == "Claim"}
    mention_ids = {(key, s): ann_ids[(label, key, s)] for label, key, s, _e in spans if label != "Claim"}

    def ref(key: str) -> EntityRef:
        return EntityRef(records[key].id, records[key].name, records[key])

    drafts = []
    for i, (label, key, s, e) in enumerate(spans):
        when = T0 + timedelta(minutes=5, seconds=20 * i)
        q = make_quote(text, s, e)
        draft = AnnotationDraft(
            label=label, start=s, end=e, quote=q, id=ann_ids[(label, key, s)], creator=CREATOR, created=when, modified=when,
            source_line=f"{label} {key} {q.exact[:30]!r}",
        )  # fmt: skip
        if label == "Claim":
            _exact, source, mention_ctx, rel, cred, likely, stance, note, about, links = CLAIMS[key]
            validate_claim_fields(rel, cred, likely, stance)
            mention = next((mid for (k, ps), mid in mention_ids.items() if k == source and _within(text, ps, mention_ctx)), None)
            if mention is None:
                raise SystemExit(f"claim {key}: no mention of {source} in {mention_ctx!r}")
            draft.claim = ClaimDraft(
                id=uid(f"claim:{key}"), source=ref(source), source_annotation_id=mention, reliability=rel, credibility=cred,
                likelihood=likely, likelihood_note=note, stance=stance, about=[ref(k) for k in about],
                links=[LinkDraft(claim_ann[other], relation, uid(f"link:{key}:{relation}:{other}")) for relation, other in links],
                creator=CREATOR, created=when + timedelta(seconds=5), modified=when + timedelta(seconds=5),
            )  # fmt: skip
        else:
            record = records[key]
            draft.entity_id, draft.entity_name, draft.entity = record.id, record.name, record
        drafts.append(draft)
    return drafts


def _within(text: str, start: int, context: str) -> bool:
    at = text.find(context)
    return at <= start < at + len(context)


def check_manifest(folder: Path) -> None:
    """The manifest must name this document's fixed UUID and the file written here."""
    entry = next(e for e in json.loads((folder / "manifest.json").read_text("utf-8"))["documents"] if e["file"] == f"{SEED}.txt")
    if entry.get("id") != str(DOC_ID) or entry.get("annotations") != f"{SEED}.w3c.json":
        raise SystemExit(f"seeds/manifest.json: give {SEED}.txt \"id\": \"{DOC_ID}\" and \"annotations\": \"{SEED}.w3c.json\"")


def main(argv: list[str]) -> None:
    folder = seeds_dir()
    check_manifest(folder)
    loaded = load_document_file(folder / f"{SEED}.txt")
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "demo.db")
        try:
            desk = Desk(db.repo, CREATOR)
            desk.ensure_tagset()
            doc = desk.import_document(loaded.text, loaded.title, doc_id=DOC_ID).document
            drafts = build_drafts(doc.text)
            report = desk.import_annotations(doc.id, drafts)
            problems = [f"{o.draft.source_line}: {o.reason}" for o in report.orphans] + report.problems
            if problems or report.labels_added:
                raise SystemExit("; ".join(problems) or f"unexpected labels: {report.labels_added}")
            out = Path(argv[0]) if argv else folder / f"{SEED}.w3c.json"
            out.write_text(w3c_json(db.repo, doc), "utf-8")
        finally:
            db.close()
    print(f"{out}: {len(drafts)} annotations, {len(ENTITIES)} entities, {len(CLAIMS)} claims; document {DOC_ID}")


if __name__ == "__main__":
    main(sys.argv[1:])
