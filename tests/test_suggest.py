"""Suggestions: the name automaton against tag-all's matcher, Arabic,
acronyms and emoji offsets; the service's scores, accept and reject, and
their undo, against the rows in the database."""

import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.matching import NameFinder
from annotator.core.model import Entity, LabelKind, RejectedSuggestion
from annotator.core.operations import History, Operations
from annotator.core.suggest import Known, NameAutomaton, SuggestionContext, name_tokens, suggest
from tests.merge_helpers import open_services

WORDS = ["Syria", "syria", "Assad", "Bukamal", "دمشق", "الحشد", "x", "Iraq", "US", "us", "naïve", "Straße"]
GAPS = [" ", "  ", "\n", ", ", " 🇸🇾 ", "-", "\u200c", " (", ") ", "😀", "e\u0301 "]


def automaton_of(names, kind=LabelKind.ACTOR):
    a = NameAutomaton()
    ids = {}
    for name in names:
        ids[name] = uuid.uuid4()
        a.add_entity(ids[name], kind, [name])
    return a, ids


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4, unique=True),
       st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(GAPS)), max_size=30))  # fmt: skip
def test_one_word_names_are_found_where_tag_all_finds_them(names, pieces):
    text = "".join(w + g for w, g in pieces)
    automaton, _ = automaton_of(names)
    ours = {(m.start, m.end) for m in automaton.find(text) if automaton.owners_at(text, m)}
    theirs = {(m.start, m.end) for m in NameFinder(names).find(text)}
    assert ours == theirs


def test_longer_names_win_and_offsets_are_code_points():
    text = "😀 Hashd al-Shaabi said; the Hashd 🇸🇾 left."
    automaton, ids = automaton_of(["Hashd", "Hashd al-Shaabi"])
    found = [(text[m.start : m.end], automaton.owners[m.pattern][0].entity_id) for m in automaton.find(text)]
    assert found == [("Hashd al-Shaabi", ids["Hashd al-Shaabi"]), ("Hashd", ids["Hashd"])]


def test_arabic_after_proclitics_and_with_harakat():
    text = "قال وللحشد إن دِمَشْقَ وبدمشق"
    automaton, _ = automaton_of(["الحشد", "دمشق"])
    found = [text[m.start : m.end] for m in automaton.find(text)]
    assert found == ["لحشد", "دِمَشْقَ", "دمشق"]  # ل + الحشد: the article's alif is not written
    assert found[:1] == [text[m.start : m.end] for m in NameFinder(["الحشد"]).find(text)]


def test_an_acronym_matches_only_its_own_case():
    text = "the US said us"
    automaton, _ = automaton_of(["US"])
    assert [(text[m.start : m.end]) for m in automaton.find(text) if automaton.owners_at(text, m)] == ["US"]


def _ctx(label, counts=None, **kw):
    return SuggestionContext({LabelKind.ACTOR: label, LabelKind.LOCATION: label}, {label: "Actor"}, counts or {}, **kw)


def test_taken_and_rejected_spans_are_not_proposed_again():
    text = "Assad met Assad and Assad."
    automaton, ids = automaton_of(["Assad"])
    label = uuid.uuid4()
    doc = uuid.uuid4()
    ctx = _ctx(label, {ids["Assad"]: {label: 3}}, taken={LabelKind.ACTOR: [(0, 5)]}, rejected={(10, 15, label)})
    got = suggest(automaton, doc, text, ctx)
    assert [(s.start, s.end, s.score) for s in got] == [(20, 25, 1.0)]
    assert got[0].why == "“Assad” was tagged Actor 3 of 3 times" and got[0].prefix == "Assad met Assad and "


def test_a_gazetteer_place_only_where_the_text_capitalises_it():
    place = Known(None, LabelKind.LOCATION, "Nice", "Nice", tuple(name_tokens("Nice")), place="Nice, France · city")
    automaton = NameAutomaton()
    automaton.add(place)
    text = "a nice day in Nice"
    got = suggest(automaton, uuid.uuid4(), text, _ctx(uuid.uuid4()))
    assert [(s.exact, s.start, s.why) for s in got] == [("Nice", 14, "in the gazetteer: Nice, France · city")]


# --- the service, against the database --------------------------------------------------------

DAMASCUS = Known(None, LabelKind.LOCATION, "Damascus", "Damascus", ("Damascus",), place="Damascus, Syria · capital",
                 country_code="SY", latitude=33.5, longitude=36.3)  # fmt: skip


def _desk(tmp_path):
    from annotator.core.operations import services_for

    db, _services, first = open_services(tmp_path / "s.db", "Assad spoke in Damascus. Assad left.")
    services = services_for(db.repo, "ana", gazetteer=lambda: [DAMASCUS])
    services.desk.ensure_tagset()
    labels = {lb.name: lb for lb in db.repo.labels()}
    ann, _ = services.desk.add_annotation(first.id, labels["Actor"].id, 0, 5)
    second = services.desk.import_document("Later, Assad and Damascus again. Assad.", "Second").document
    return db, services, History(Operations(services)), labels, first, second, ann.entity_id


def test_accept_links_to_the_entity_and_undo_takes_it_back(tmp_path):
    db, services, history, labels, _first, second, assad = _desk(tmp_path)
    got = services.suggestions.for_document(second.id, second.text)
    assert [(s.exact, s.label_id == labels["Actor"].id, s.score) for s in got] == [
        ("Assad", True, 1.0), ("Damascus", False, 0.0), ("Assad", True, 1.0),
    ]  # fmt: skip
    change = history.do(_op("accept_suggestions", suggestions=got))
    anns = {a.exact: a for a in reversed(list(db.repo.annotations(second.id)))}  # the first of each
    assert set(anns) == {"Assad", "Damascus"} and len(list(db.repo.annotations(second.id))) == 3
    assert anns["Assad"].entity_id == assad and anns["Assad"].prefix == "Later, "
    place = db.repo.get_entity(anns["Damascus"].entity_id)
    assert (place.name, place.country_code, place.latitude, place.kept) == ("Damascus", "SY", 33.5, False)
    assert change.entities_added == [place.id]
    assert services.suggestions.for_document(second.id, second.text) == []  # all taken now
    history.undo()
    assert list(db.repo.annotations(second.id)) == [] and db.repo.get_entity(place.id).deleted
    assert len(services.suggestions.for_document(second.id, second.text)) == 3
    history.redo()
    assert len(list(db.repo.annotations(second.id))) == 3 and not db.repo.get_entity(place.id).deleted
    db.close()


def test_a_second_suggestion_of_a_place_reuses_its_entity(tmp_path):
    db, services, history, _labels, first, second, _assad = _desk(tmp_path)
    both = [s for d in (first, second) for s in services.suggestions.for_document(d.id, d.text) if s.exact == "Damascus"]
    history.do(_op("accept_suggestions", suggestions=both))
    places = [e for e in db.repo.entities(LabelKind.LOCATION) if not e.deleted]
    assert [e.name for e in places] == ["Damascus"]
    db.close()


def test_reject_is_remembered_and_undo_forgets_it(tmp_path):
    db, services, history, _labels, _first, second, _assad = _desk(tmp_path)
    got = services.suggestions.for_document(second.id, second.text)
    history.do(_op("reject_suggestions", suggestions=got[:1]))
    rows = db.repo.rejections(second.id)
    assert [(r.exact, r.start, r.creator) for r in rows] == [("Assad", 7, "ana")] and isinstance(rows[0], RejectedSuggestion)
    assert [s.start for s in services.suggestions.for_document(second.id, second.text)] == [17, 33]
    history.undo()
    assert db.repo.rejections(second.id) == [] and db.repo.rejections(second.id, include_deleted=True)[0].deleted
    assert [s.start for s in services.suggestions.for_document(second.id, second.text)] == [7, 17, 33]
    history.redo()
    assert [r.id for r in db.repo.rejections(second.id)] == [rows[0].id]
    db.close()


def test_a_new_alias_is_proposed_at_once_and_a_deleted_entity_no_more(tmp_path):
    db, services, history, _labels, _first, second, assad = _desk(tmp_path)
    history.do(_op("update_entity", entity_id=assad, fields={"aliases": ["Later"]}))
    assert "Later" in [s.exact for s in services.suggestions.for_document(second.id, second.text)]
    entity = db.repo.get_entity(assad)
    services.suggestions.learned(_change_with(Entity(**{**entity.__dict__, "deleted": True})))
    assert [s.exact for s in services.suggestions.for_document(second.id, second.text)] == ["Damascus"]
    db.close()


def test_entity_label_counts_are_live_tags_per_label(tmp_path):
    db, services, _history, labels, first, _second, assad = _desk(tmp_path)
    services.desk.add_annotation(first.id, labels["Actor"].id, 25, 30)
    ann, _ = services.desk.add_annotation(first.id, labels["Location"].id, 15, 23)
    counts = db.repo.entity_label_counts()
    assert counts[assad] == {labels["Actor"].id: 2} and counts[ann.entity_id] == {labels["Location"].id: 1}
    services.desk.delete_annotations([ann.id])
    assert ann.entity_id not in db.repo.entity_label_counts()
    db.close()


def _op(name, **args):
    from annotator.core.change import Op

    return Op(name, args)


def _change_with(*rows):
    from annotator.core.change import Change

    return Change(rows=list(rows), entities_changed=True)


def test_scores_follow_each_tag_without_counting_the_corpus_again(tmp_path):
    """A tag is counted into the scores from its change; an untag has them counted again."""
    db, services, history, labels, first, second, _assad = _desk(tmp_path)
    assert services.suggestions.for_document(second.id, second.text)[0].score == 1.0  # the counts are read here
    reads = []
    real = db.repo.entity_label_counts
    db.repo.entity_label_counts = lambda: reads.append(1) or real()
    history.do(_op("add_annotation", doc_id=first.id, label_id=labels["Location"].id, start=25, end=30))  # "Assad", a place too
    got = services.suggestions.for_document(second.id, second.text)[0]
    assert got.exact == "Assad" and got.score == 0.5 and reads == []  # counted in from the change, not read again
    history.undo()
    got = services.suggestions.for_document(second.id, second.text)[0]
    assert (got.label_id, got.score) == (labels["Actor"].id, 1.0) and reads == [1]  # an untag: counted again, once
    db.close()


def test_another_writers_tag_forgets_the_scores_and_keeps_the_names(tmp_path):
    db, services, _history, _labels, _first, second, _assad = _desk(tmp_path)
    services.suggestions.for_document(second.id, second.text)
    automaton = services.suggestions.automaton()
    services.suggestions.forget(names=False)
    assert services.suggestions.automaton() is automaton  # not rebuilt for another writer's tag
    services.suggestions.forget()
    assert services.suggestions.automaton() is not automaton
    db.close()
