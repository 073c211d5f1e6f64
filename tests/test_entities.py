"""Entities: creating and editing, mentions, tag-all-occurrences, merge and unmerge."""

import sqlite3
import uuid

import pytest

from annotator.core.claims import Claims
from annotator.core.entities import CONTEXT, Entities, Occurrence
from annotator.core.errors import InputError, NotFound
from annotator.core.matching import NameFinder
from annotator.core.model import LabelKind
from annotator.core.offsets import make_quote
from annotator.core.services import Desk
from annotator.store.database import open_database

TEXT = (
    "The Popular Mobilisation Forces, or Hashd Al Shaabi, clashed near Palmyra.\n"
    "Later the PMF withdrew; the pmf's leaders and the HASHD AL\nSHAABI denied it.\n"
    "قالت قوات الحشد الشعبي إن الحدود هادئة، والحشد الشعبي لم يتحرك. الحشد الشعبيّ\n"
    "Iranian drones, Iran-backed groups and Iran itself; not the PMFs nor PMF\u0301.\n"
)
OTHER = "Elsewhere the PMF said nothing, and Hashd Al Shaabi agreed.\n"
TABLES = ("entity", "annotation", "claim", "claim_subject", "claim_link")


@pytest.fixture
def db(tmp_path):
    db = open_database(tmp_path / "a.db")
    yield db
    db.close()


@pytest.fixture
def desk(db):
    desk = Desk(db.repo, "ana")
    desk.ensure_tagset()
    return desk


@pytest.fixture
def ents(db):
    return Entities(db.repo, "ana")


@pytest.fixture
def doc(desk):
    return desk.import_document(TEXT, "Report").document


def label(desk, name):
    return desk.label_named(name).id


def span(text, exact, nth=0):
    i = -1
    for _ in range(nth + 1):
        i = text.index(exact, i + 1)
    return i, i + len(exact)


def pmf(ents):
    entity, _ = ents.create(
        LabelKind.ACTOR, "Popular Mobilisation Forces", type="armed_group", aliases=["Hashd Al Shaabi", "PMF", "الحشد الشعبي"]
    )
    return entity


def dump(path, skip=("modified",)):
    """Every row of the tables that entity edits touch, without the columns in ``skip``."""
    con = sqlite3.connect(path)
    try:
        out = {}
        for t in TABLES:
            cols = [r[1] for r in con.execute(f"PRAGMA table_info({t})") if r[1] not in skip]
            out[t] = sorted(map(repr, con.execute(f"SELECT {', '.join(cols)} FROM {t}").fetchall()))
        return out
    finally:
        con.close()


# --- creating and editing ---------------------------------------------------------------------


def test_create_cleans_name_and_aliases(ents, db):
    entity, change = ents.create(
        LabelKind.ACTOR, "  Popular   Mobilisation Forces ", aliases=["PMF", "pmf", " Hashd  Al Shaabi", "POPULAR mobilisation forces", "", "الحشد الشعبي"]
    )
    assert change.entities_changed and change.document_id is None
    stored = db.repo.get_entity(entity.id)
    assert stored.name == "Popular Mobilisation Forces"
    assert stored.aliases == ["PMF", "Hashd Al Shaabi", "الحشد الشعبي"]  # order kept, duplicates and the name dropped
    assert stored.creator == "ana" and stored.merged_into is None


def test_create_validates(ents):
    with pytest.raises(InputError, match="needs a name"):
        ents.create(LabelKind.ACTOR, "  ")
    with pytest.raises(InputError, match="only actors and locations"):
        ents.create(LabelKind.CLAIM, "Something")
    with pytest.raises(InputError, match="actor type must be one of person, official"):
        ents.create(LabelKind.ACTOR, "Syria", type="country")
    with pytest.raises(InputError, match="location type must be one of country"):
        ents.create(LabelKind.LOCATION, "Syria", type="state")
    with pytest.raises(InputError, match="both latitude and longitude"):
        ents.create(LabelKind.LOCATION, "Palmyra", latitude=34.5)
    with pytest.raises(InputError, match="latitude must be between -90 and 90"):
        ents.create(LabelKind.LOCATION, "Palmyra", latitude=134.5, longitude=38.3)
    with pytest.raises(InputError, match="longitude must be between -180 and 180"):
        ents.create(LabelKind.LOCATION, "Palmyra", latitude=34.5, longitude=-181)
    with pytest.raises(InputError, match="two letters A–Z"):
        ents.create(LabelKind.LOCATION, "Syria", country_code="SYR")
    with pytest.raises(InputError, match="two letters A–Z"):
        ents.create(LabelKind.LOCATION, "Syria", country_code="S1")
    with pytest.raises(InputError, match="must be a number"):
        ents.create(LabelKind.LOCATION, "Syria", latitude="34", longitude=38)


def test_create_location_with_place(ents, db):
    entity, _ = ents.create(
        LabelKind.LOCATION, "Al Bukamal border crossing", type="border_crossing", latitude=34.45, longitude=40.93, country_code=" sy "
    )
    stored = db.repo.get_entity(entity.id)
    assert (stored.latitude, stored.longitude, stored.country_code, stored.type) == (34.45, 40.93, "SY", "border_crossing")


def test_update_keeps_exactly_what_is_given(ents, db):
    entity = pmf(ents)
    ents.update(entity.id, name="Hashd", aliases=["Popular Mobilisation Forces", "hashd", "PMF"])
    stored = db.repo.get_entity(entity.id)
    assert stored.name == "Hashd" and stored.aliases == ["Popular Mobilisation Forces", "PMF"]
    assert stored.modified > entity.modified and stored.type == "armed_group"
    ents.update(entity.id, note="Iraqi state-sanctioned umbrella of mostly Shiite militias")
    assert db.repo.get_entity(entity.id).note.startswith("Iraqi")
    with pytest.raises(TypeError, match="kind"):
        ents.update(entity.id, kind=LabelKind.LOCATION)
    with pytest.raises(InputError, match="needs a name"):
        ents.update(entity.id, name="")


def test_update_coordinates_validated_as_a_whole(ents, db):
    place, _ = ents.create(LabelKind.LOCATION, "Palmyra")
    with pytest.raises(InputError, match="both latitude and longitude"):
        ents.update(place.id, latitude=34.56)
    ents.update(place.id, latitude=34.56, longitude=38.28, country_code="sy", type="city")
    ents.update(place.id, latitude=34.55)  # the longitude is already there
    stored = db.repo.get_entity(place.id)
    assert (stored.latitude, stored.longitude, stored.country_code) == (34.55, 38.28, "SY")
    ents.update(place.id, latitude=None, longitude=None, country_code="")
    stored = db.repo.get_entity(place.id)
    assert (stored.latitude, stored.longitude, stored.country_code) == (None, None, "")


# --- matching names ---------------------------------------------------------------------------


def test_name_finder_whole_words_any_case_any_script():
    finder = NameFinder(["Popular Mobilisation Forces", "Hashd Al Shaabi", "PMF", "الحشد الشعبي", "Iran"])
    found = [(TEXT[m.start : m.end], m.name) for m in finder.find(TEXT)]
    assert found == [
        ("Popular Mobilisation Forces", "Popular Mobilisation Forces"),
        ("Hashd Al Shaabi", "Hashd Al Shaabi"),
        ("PMF", "PMF"),  # not "pmf's": an acronym matches in capitals only
        ("HASHD AL\nSHAABI", "Hashd Al Shaabi"),  # any case, any whitespace, line breaks too
        ("الحشد الشعبي", "الحشد الشعبي"),
        ("الحشد الشعبي", "الحشد الشعبي"),  # in "والحشد": after the proclitic و, which is not tagged
        ("الحشد الشعبيّ", "الحشد الشعبي"),  # the shadda after the last letter is part of the match
        ("Iran", "Iran"),  # "Iran-backed": a hyphen ends a word, while "Iranian" is another word
        ("Iran", "Iran"),
    ]  # "PMFs" and "PMF" with a combining accent are other words too


ARABIC = "الحشد الشعبي"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("والحشد الشعبي قال", "الحشد الشعبي"),  # و + the name
        ("بالحشد الشعبي", "الحشد الشعبي"),  # ب
        ("وبالحشد الشعبي", "الحشد الشعبي"),  # و then ب
        ("كالحشد الشعبي", "الحشد الشعبي"),  # ك
        ("فالحشد الشعبي", "الحشد الشعبي"),  # ف
        ("للحشد الشعبي", "لحشد الشعبي"),  # ل + ال is written لل: the name without its alif
        ("وللحشد الشعبي", "لحشد الشعبي"),
        ("الحَشد الشَّعبي", "الحَشد الشَّعبي"),  # harakat
        ("الحشـــد الشعبي", "الحشـــد الشعبي"),  # tatweel
        ("الحشد الشعبى", "الحشد الشعبى"),  # alef maqsura for ya
        ("ألحشد الشعبي", "ألحشد الشعبي"),  # hamza forms of alif
        ("إلحشد الشعبي", "إلحشد الشعبي"),
        ("آلحشد الشعبي", "آلحشد الشعبي"),
        ("الحشد\u200cالشعبي", "الحشد\u200cالشعبي"),  # ZWNJ as the separator
        ("الحشد-الشعبي", "الحشد-الشعبي"),
        ("الحشدُ الشعبيُّ،", "الحشدُ الشعبيُّ"),  # final harakat belong to the name, the comma does not
    ],
)
def test_arabic_names_match_normalised_with_proclitics(text, expected):
    [m] = NameFinder([ARABIC]).find(text)
    assert text[m.start : m.end] == expected and m.name == ARABIC
    assert text.endswith(expected) or not text[m.end].isalpha()


@pytest.mark.parametrize("text", ["سالحشد الشعبي", "الحشد الشعبيين", "والوالحشد الشعبي", "xالحشد الشعبي"])
def test_arabic_names_stay_whole_words(text):
    assert NameFinder([ARABIC]).find(text) == []  # another letter before (not a proclitic) or after


def test_names_written_with_harakat_or_variants_match_plain_text():
    finder = NameFinder(["الحَشد الشَّعبى", "أبو كمال"])
    text = "الحشد الشعبي عند ابو كمال وبأبو كمال"
    assert [text[m.start : m.end] for m in finder.find(text)] == ["الحشد الشعبي", "ابو كمال", "أبو كمال"]


def test_hyphen_and_space_are_the_same_separator():
    finder = NameFinder(["Hashd Al Shaabi", "al-Qaim"])
    text = "Hashd al-Shaabi, Hashd-Al-Shaabi and Hashd Al Shaabi met in al Qaim and al\u2011Qaim."
    assert [text[m.start : m.end] for m in finder.find(text)] == [
        "Hashd al-Shaabi", "Hashd-Al-Shaabi", "Hashd Al Shaabi", "al Qaim", "al\u2011Qaim"]  # fmt: skip


def test_acronyms_match_case_sensitively():
    finder = NameFinder(["United States", "US"])
    text = "Remind us: the US and the united states, not US-led nor USA."
    assert [(text[m.start : m.end], m.name) for m in finder.find(text)] == [
        ("US", "US"), ("united states", "United States"), ("US", "US")]  # fmt: skip
    other = "us and US"
    assert [other[m.start : m.end] for m in NameFinder(["Us"]).find(other)] == ["us", "US"]  # not an acronym


def test_match_spans_are_exact_original_text_with_astral_characters():
    text = "😀 والحَشـد الشعبي 😀 Hashd al-Shaabi"
    for m in NameFinder([ARABIC, "Hashd Al Shaabi"]).find(text):
        assert text[m.start : m.end] in ("الحَشـد الشعبي", "Hashd al-Shaabi")


def test_name_finder_full_case_folding_and_longest_first():
    finder = NameFinder(["Straße", "Al Shaabi", "Hashd Al Shaabi", "Hashd"])
    text = "STRASSE; hashd al shaabi; Hashd alone; al shaabi."
    assert [(text[m.start : m.end], m.name) for m in finder.find(text)] == [
        ("STRASSE", "Straße"),
        ("hashd al shaabi", "Hashd Al Shaabi"),  # not "Hashd" nor "Al Shaabi" inside it
        ("Hashd", "Hashd"),
        ("al shaabi", "Al Shaabi"),
    ]


def test_name_finder_zwnj_is_part_of_a_word():
    finder = NameFinder(["می"])
    assert finder.find("می\u200cخواهم") == []  # Persian: ZWNJ joins the prefix to the verb
    assert [(m.start, m.end) for m in finder.find("او می گوید")] == [(3, 5)]


# --- occurrences ----------------------------------------------------------------------------------


def test_find_occurrences_uses_name_and_aliases(ents, doc):
    entity = pmf(ents)
    found = ents.find_occurrences(entity.id, [doc.id])
    assert [(o.exact, o.name) for o in found] == [
        ("Popular Mobilisation Forces", "Popular Mobilisation Forces"),
        ("Hashd Al Shaabi", "Hashd Al Shaabi"),
        ("PMF", "PMF"),
        ("HASHD AL\nSHAABI", "Hashd Al Shaabi"),
        ("الحشد الشعبي", "الحشد الشعبي"),
        ("الحشد الشعبي", "الحشد الشعبي"),
        ("الحشد الشعبيّ", "الحشد الشعبي"),
    ]
    assert all(TEXT[o.start : o.end] == o.exact and o.overlaps == () for o in found)
    first = found[0]
    assert (first.document_id, first.document_title) == (doc.id, "Report")
    assert TEXT[first.start : first.end] == first.exact
    assert first.before == "The " and first.after == TEXT[first.end : first.end + CONTEXT]


def test_occurrences_exclude_spans_tagged_with_the_same_kind(desk, ents, doc):
    entity = pmf(ents)
    s, e = span(TEXT, "PMF")
    desk.add_annotation(doc.id, label(desk, "Actor"), s, e)  # tagged, even if linked to another entity
    desk.add_annotation(doc.id, label(desk, "Claim"), *span(TEXT, "Hashd Al Shaabi"))  # another kind: still offered
    deleted, _ = desk.add_annotation(doc.id, label(desk, "Actor"), *span(TEXT, "HASHD AL\nSHAABI"))
    desk.delete_annotation(deleted.id)  # a deleted tag does not count
    found = [(o.start, o.end) for o in ents.find_occurrences(entity.id, [doc.id])]
    assert (s, e) not in found
    assert span(TEXT, "Hashd Al Shaabi") in found and span(TEXT, "HASHD AL\nSHAABI") in found


def test_occurrences_inside_a_tagged_span_of_the_same_kind_are_flagged(desk, ents, doc):
    """ "US" inside the tagged "US troops": offered, but flagged with what it overlaps."""
    text = "US troops left; the US said so. Remind us. US forces stayed."
    d = desk.import_document(text, "US").document
    us, _ = ents.create(LabelKind.ACTOR, "United States", aliases=["US"])
    troops, _ = desk.add_annotation(d.id, label(desk, "Actor"), *span(text, "US troops"))
    desk.add_annotation(d.id, label(desk, "Claim"), *span(text, "US forces stayed"))  # another kind
    found = ents.find_occurrences(us.id, [d.id])
    assert [(o.exact, o.start) for o in found] == [("US", 0), ("US", 20), ("US", 43)]  # not "us"
    first, second, third = found
    [ov] = first.overlaps
    assert (ov.annotation_id, ov.label, ov.exact, ov.contains) == (troops.id, "Actor", "US troops", True)
    assert ov.entity_name == db_entity_name(ents, troops.entity_id) == "US troops"
    assert second.overlaps == () and third.overlaps == ()  # the claim is not of the entity's kind


def db_entity_name(ents, entity_id):
    return ents.repo.get_entity(entity_id).name


def test_occurrences_in_all_documents(desk, ents, doc):
    other = desk.import_document(OTHER, "Other").document
    entity = pmf(ents)
    everywhere = ents.find_occurrences(entity.id)
    assert {o.document_id for o in everywhere} == {doc.id, other.id}
    assert [o.exact for o in everywhere if o.document_id == other.id] == ["PMF", "Hashd Al Shaabi"]
    assert {o.document_id for o in ents.find_occurrences(entity.id, [other.id])} == {other.id}


def test_tag_occurrences_then_undo_and_redo(desk, ents, doc, db):
    entity = pmf(ents)
    found = ents.find_occurrences(entity.id, [doc.id])
    chosen = [o for o in found if o.exact != "HASHD AL\nSHAABI"]
    ids, change = ents.tag_occurrences(entity.id, label(desk, "Actor"), chosen)
    assert len(ids) == len(chosen) and change.added == ids and change.document_id == doc.id
    assert change.spans == [(o.start, o.end) for o in chosen] and not change.entities_changed  # no entity was made or changed
    for ann_id, occ in zip(ids, chosen, strict=True):
        ann = db.repo.get_annotation(ann_id)
        q = make_quote(TEXT, occ.start, occ.end)
        assert (ann.entity_id, ann.exact, ann.prefix, ann.suffix, ann.creator) == (entity.id, q.exact, q.prefix, q.suffix, "ana")
    assert [m.exact for m in ents.mentions(entity.id)] == [o.exact for o in chosen]
    # Tagged spans are not offered again, nor tagged twice.
    assert [o.exact for o in ents.find_occurrences(entity.id, [doc.id])] == ["HASHD AL\nSHAABI"]
    again, change = ents.tag_occurrences(entity.id, label(desk, "Actor"), chosen)
    assert again == [] and change.added == []
    # Undo and redo, as the GUI does it.
    assert desk.delete_annotations(ids).removed == ids
    assert ents.mentions(entity.id) == []
    desk.restore_annotations(ids)
    assert len(ents.mentions(entity.id)) == len(chosen)


def test_tag_occurrences_across_documents_and_refusals(desk, ents, doc):
    other = desk.import_document(OTHER, "Other").document
    entity = pmf(ents)
    found = ents.find_occurrences(entity.id)
    ids, change = ents.tag_occurrences(entity.id, label(desk, "Actor"), found)
    assert len(ids) == len(found) and change.document_id is None and change.spans == []
    assert ents.mention_counts()[entity.id] == len(found)
    gone = desk.delete_annotations(ids)
    assert gone.document_id is None and sorted(gone.removed) == sorted(ids)
    with pytest.raises(InputError, match="not for actors"):
        ents.tag_occurrences(entity.id, label(desk, "Location"), found)
    bad = Occurrence(other.id, "Other", 0, len(OTHER) + 3, "x", "", "", "PMF")
    with pytest.raises(ValueError):
        ents.tag_occurrences(entity.id, label(desk, "Actor"), [bad])


def test_mentions_and_counts(desk, ents, doc):
    other = desk.import_document(OTHER, "Other").document
    actor = label(desk, "Actor")
    a, _ = desk.add_annotation(other.id, actor, *span(OTHER, "PMF"))
    b, _ = desk.add_annotation(doc.id, actor, *span(TEXT, "PMF"), entity_id=a.entity_id)
    c, _ = desk.add_annotation(doc.id, actor, *span(TEXT, "pmf"), entity_id=a.entity_id)
    gone, _ = desk.add_annotation(doc.id, actor, *span(TEXT, "PMF", 1), entity_id=a.entity_id)
    desk.delete_annotation(gone.id)
    mentions = ents.mentions(a.entity_id)
    assert [m.annotation_id for m in mentions] == [b.id, c.id, a.id]  # first document first, then by position
    m = mentions[0]
    assert (m.document_title, m.exact) == ("Report", "PMF")
    assert m.before == TEXT[m.start - CONTEXT : m.start] and m.after == TEXT[m.end : m.end + CONTEXT]
    assert mentions[2].before == "Elsewhere the " and mentions[2].document_id == other.id
    counts = ents.mention_counts()
    assert counts[a.entity_id] == 3 and uuid.uuid4() not in counts


# --- merging ------------------------------------------------------------------------------------


def test_merge_moves_everything_and_unmerge_restores_it_exactly(desk, ents, doc, db):
    actor, claim_label = label(desk, "Actor"), label(desk, "Claim")
    claims = Claims(db.repo, "ana")
    long_, _ = desk.add_annotation(doc.id, actor, *span(TEXT, "Popular Mobilisation Forces"))
    short, _ = desk.add_annotation(doc.id, actor, *span(TEXT, "PMF"))
    arabic, _ = desk.add_annotation(doc.id, actor, *span(TEXT, "الحشد الشعبي"))
    dead, _ = desk.add_annotation(doc.id, actor, *span(TEXT, "pmf"), entity_id=short.entity_id)
    desk.delete_annotation(dead.id)
    target, source, source2 = long_.entity_id, short.entity_id, arabic.entity_id
    ents.update(source, aliases=["Hashd"])
    c1, _ = desk.add_annotation(doc.id, claim_label, *span(TEXT, "Later the PMF withdrew"))
    c2, _ = desk.add_annotation(doc.id, claim_label, *span(TEXT, "denied it"))
    claims.set_details(c1.id, source_entity_id=source, reliability="B", credibility="3")
    claims.set_subjects(c1.id, [source])
    claims.set_subjects(c2.id, [target, source2])  # merging makes source2 a duplicate of target here
    before = dump(db.path)

    m = ents.merge(target, [source, source2])
    assert m.sources == [source, source2] and m.target_id == target
    assert m.moved[source] == [short.id, dead.id] and m.moved[source2] == [arabic.id]
    assert m.moved_claim_sources == {source: [c1.id], source2: []}
    assert len(m.moved_subjects[source]) == 1 and m.moved_subjects[source2] == []
    assert len(m.dropped_subjects[source2]) == 1
    assert m.old_target.aliases == [] and m.change.entities_changed
    assert sorted(m.change.updated) == sorted([short.id, dead.id, arabic.id])

    repo = db.repo
    assert {repo.get_annotation(i).entity_id for i in (long_.id, short.id, dead.id, arabic.id)} == {target}
    assert repo.claim_for(c1.id).source_entity_id == target
    assert [e.id for e in claims.details(c1.id).subjects] == [target]
    assert [e.id for e in claims.details(c2.id).subjects] == [target]  # once, not twice
    merged = repo.get_entity(target)
    assert merged.aliases == ["PMF", "Hashd", "الحشد الشعبي"]
    for sid in (source, source2):
        gone = repo.get_entity(sid)
        assert gone.deleted and gone.merged_into == target
    assert [e.id for e in repo.entities(LabelKind.ACTOR)] == [target]
    assert ents.mention_counts() == {target: 3}
    assert [x.annotation_id for x in ents.mentions(target)] == [long_.id, short.id, arabic.id]
    with pytest.raises(NotFound, match="merged into another"):
        ents.update(source, note="x")

    change = ents.unmerge(m)
    assert change.entities_changed and sorted(change.updated) == sorted(m.change.updated)
    assert dump(db.path) == before  # every row as it was (only modification times moved on)


def test_merge_then_merge_again_and_undo_both(ents, db):
    a, _ = ents.create(LabelKind.ACTOR, "PMF")
    b, _ = ents.create(LabelKind.ACTOR, "Hashd", aliases=["Hashd Al Shaabi"])
    c, _ = ents.create(LabelKind.ACTOR, "Popular Mobilisation Forces", aliases=["pmf"])
    before = dump(db.path)
    first = ents.merge(a.id, [b.id])
    second = ents.merge(c.id, [a.id])
    assert db.repo.get_entity(c.id).aliases == ["pmf", "Hashd", "Hashd Al Shaabi"]  # "PMF" is already an alias
    ents.unmerge(second)
    ents.unmerge(first)
    assert dump(db.path) == before


def test_merge_refusals(ents, db):
    a, _ = ents.create(LabelKind.ACTOR, "Syria")
    loc, _ = ents.create(LabelKind.LOCATION, "Syria")
    with pytest.raises(InputError, match="cannot merge the location Syria into the actor Syria"):
        ents.merge(a.id, [loc.id])
    with pytest.raises(InputError, match="into itself"):
        ents.merge(a.id, [a.id])
    with pytest.raises(InputError, match="at least one"):
        ents.merge(a.id, [])
    with pytest.raises(NotFound):
        ents.merge(a.id, [uuid.uuid4()])
    assert not db.repo.get_entity(loc.id).deleted
