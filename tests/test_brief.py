"""The Word brief, read back with python-docx: marked runs at the right
places, comments on exactly their annotation's text, tables that match the
database, TLP marking on every page, right-to-left paragraphs, options."""

import re
import shutil
import subprocess
from dataclasses import replace

import pytest

from annotator import cli
from annotator.core.errors import InputError
from annotator.core.model import Claim, ClaimLink, ClaimSubject, LabelKind
from annotator.core.services import Desk
from annotator.export.brief import BriefOptions, isolate, write_brief
from annotator.export.template import TLP
from annotator.store.database import open_database
from tests.docx_reader import W, articles, comments, mark_styles, open_docx, para_text, plain, runs_over, style_of, tables

LTR_TEXT = (
    "Syrian officials said 3,000 troops were sent to the border with Iraq near Al Bukamal.\n"
    "An Iraqi source denied it.\n"
    "قالت قوات الحشد الشعبي إن الحدود هادئة.\t(تقرير)\n"
    "Officials in Damascus 🇸🇾 repeated the claim 👨‍👩‍👧 & <more>.\n"
)
RTL_TEXT = "قالت مصادر أمنية إن الحشد الشعبي 🇮🇶 لم يعبر الحدود.\nThe source spoke in English.\n"
OTHER_TEXT = "A document left out of the brief.\n"


def at(text, exact, nth=0):
    i = -1
    for _ in range(nth + 1):
        i = text.index(exact, i + 1)
    return i, i + len(exact)


@pytest.fixture
def db(tmp_path):
    db = open_database(tmp_path / "brief.db")
    yield db
    db.close()


@pytest.fixture
def world(db):
    """Three documents; the first two annotated with overlapping and nested
    spans, graded claims, links, subjects and notes."""
    desk = Desk(db.repo, "ana")
    desk.ensure_tagset()
    lb = {label.kind: label for label in db.repo.labels()}
    d1 = desk.import_document(LTR_TEXT, "Border report", source="The National", published="2025-06").document
    d2 = desk.import_document(RTL_TEXT, "تقرير الحدود", source="Al Araby").document
    d3 = desk.import_document(OTHER_TEXT, "Left out").document
    anns = {}

    def tag(name, kind, doc, exact, nth=0, note=""):
        s, e = at(doc.text, exact, nth)
        anns[name] = desk.add_annotation(doc.id, lb[kind].id, s, e, note=note)[0]
        return anns[name]

    # document 1: a claim holding an actor (with a nested actor) and two locations,
    # a claim nested in it, a claim across a line break (Arabic into English)
    tag("c1", LabelKind.CLAIM, d1, "Syrian officials said 3,000 troops were sent to the border with Iraq near Al Bukamal.",
        note="Two officials, separately.")  # fmt: skip
    tag("c2", LabelKind.CLAIM, d1, "3,000 troops were sent")
    tag("officials", LabelKind.ACTOR, d1, "Syrian officials")
    tag("syrian", LabelKind.ACTOR, d1, "Syrian")
    tag("iraq", LabelKind.LOCATION, d1, "Iraq")
    tag("bukamal", LabelKind.LOCATION, d1, "Al Bukamal")
    tag("c3", LabelKind.CLAIM, d1, "An Iraqi source denied it.")
    tag("source", LabelKind.ACTOR, d1, "An Iraqi source", note="Unnamed; close to the PMF?")
    tag("pmf", LabelKind.ACTOR, d1, "قوات الحشد الشعبي", note="الحشد الشعبي — Popular Mobilisation Forces")
    tag("c4", LabelKind.CLAIM, d1, "الحدود هادئة.\t(تقرير)\nOfficials in Damascus")
    tag("damascus", LabelKind.LOCATION, d1, "Damascus 🇸🇾")
    tag("family", LabelKind.ACTOR, d1, "👨‍👩‍👧")
    tag("amp", LabelKind.ACTOR, d1, "& <more>")
    # document 2, right to left
    tag("c5", LabelKind.CLAIM, d2, "الحشد الشعبي 🇮🇶 لم يعبر الحدود")
    tag("pmf2", LabelKind.ACTOR, d2, "الحشد الشعبي")
    tag("flag", LabelKind.LOCATION, d2, "🇮🇶")
    tag("other", LabelKind.ACTOR, d3, "document")
    tag("outside", LabelKind.CLAIM, d3, "A document left out of the brief.")

    officials = db.repo.get_annotation(anns["officials"].id)
    grades = {"c1": ("B", "2", "likely", "asserted"), "c3": ("C", "4", "unlikely", "denied"),
              "c4": ("A", "1", "almost certain", "asserted"), "c5": ("B", "3", "", "asserted")}  # fmt: skip
    for name, (rel, cred, likely, stance) in grades.items():
        source = {"source_entity_id": officials.entity_id, "source_annotation_id": officials.id} if name == "c1" else {}
        desk.set_claim(Claim(annotation_id=anns[name].id, reliability=rel, credibility=cred, likelihood=likely, stance=stance, **source))
    with db.repo.transaction():
        db.repo.put_claim_link(ClaimLink(from_annotation_id=anns["c3"].id, to_annotation_id=anns["c1"].id, relation="contradicts"))
        db.repo.put_claim_link(ClaimLink(from_annotation_id=anns["c5"].id, to_annotation_id=anns["c3"].id, relation="corroborates"))
        db.repo.put_claim_link(ClaimLink(from_annotation_id=anns["outside"].id, to_annotation_id=anns["c4"].id, relation="corroborates"))
        for entity_id in (anns["iraq"].entity_id, officials.entity_id):
            db.repo.put_claim_subject(ClaimSubject(claim_annotation_id=anns["c1"].id, entity_id=entity_id))
    iraq = db.repo.get_entity(anns["iraq"].entity_id)
    with db.repo.transaction():
        db.repo.update_entity(replace(iraq, type="country", country_code="IQ", latitude=33.3, longitude=44.4, aliases=["العراق"]))
    return {"desk": desk, "docs": (d1, d2, d3), "anns": anns, "labels": lb}


def brief(db, tmp_path, docs, name="brief.docx", **kw):
    kw.setdefault("analyst", "Ana Lyst")
    path = write_brief(db.repo, BriefOptions([d.id for d in docs], **kw), tmp_path / name)
    return open_docx(path), path


def live(db, doc):
    return list(db.repo.annotations(doc.id))


# --- the annotated text ---------------------------------------------------------------------------------


def test_every_annotation_is_marked_at_its_place(db, world, tmp_path):
    d1, d2, _ = world["docs"]
    document, _ = brief(db, tmp_path, [d1, d2])
    styles = mark_styles(document)
    labels = {lb.id: lb for lb in db.repo.labels()}
    arts = articles(document)
    assert sorted(arts) == ["Doc 1", "Doc 2"]
    for ref, doc in (("Doc 1", d1), ("Doc 2", d2)):
        art = arts[ref]
        assert art.text == doc.text.removesuffix("\n")  # emoji, Arabic, tab, & and < intact
        for ann in live(db, doc):
            label = labels[ann.label_id]
            assert art.text[ann.start : ann.end] == ann.exact.removesuffix("\n")
            for run in runs_over(art, ann.start, ann.end):
                if art.text[run.start : run.end] == "":
                    continue
                assert run.style in styles, f"{ann.exact!r}: an unmarked run"
                st = styles[run.style]
                if label.kind is LabelKind.CLAIM:
                    assert st.underline and st.underline_color == label.color.lstrip("#").upper()
                else:
                    assert st.fill is not None and label.name in st.name
        unmarked = [r for r in art.runs if r.style is None]
        for run in unmarked:  # nothing outside the annotations is marked, nothing inside is not
            assert not any(a.start <= run.start and run.end <= a.end for a in live(db, doc))


def test_nesting_and_overlap_show(db, world, tmp_path):
    d1 = world["docs"][0]
    document, _ = brief(db, tmp_path, [d1])
    styles = mark_styles(document)
    art = articles(document)["Doc 1"]
    a = world["anns"]

    def style_at(exact):
        s, e = at(d1.text, exact)
        [run] = runs_over(art, s, e)
        return styles[run.style]

    syrian = style_at("Syrian")  # actor in actor, in a claim
    assert syrian.border and syrian.fill and syrian.underline == "thick"
    troops = style_at("3,000 troops were sent")  # two claims
    assert troops.underline == "double" and troops.fill is None
    iraq = style_at("Iraq")  # a location inside a claim
    assert iraq.fill and not iraq.border and iraq.underline == "thick"
    assert "Location" in iraq.name and "Claim" in iraq.name
    assert a["c1"].exact.startswith("Syrian")


def test_comments_are_anchored_on_their_annotation(db, world, tmp_path):
    d1, d2, _ = world["docs"]
    document, _ = brief(db, tmp_path, [d1, d2])
    texts = comments(document)
    arts = articles(document)
    graded = set()
    for doc in (d1, d2):
        graded |= set(db.repo.claims_for_document(doc.id))
    expected = {}
    for ref, doc in (("Doc 1", d1), ("Doc 2", d2)):
        for ann in live(db, doc):
            if ann.note or ann.id in graded:
                expected[(ref, ann.start, ann.end)] = ann
    anchored = {}
    for ref, art in arts.items():
        assert sorted(art.comment_refs) == sorted(art.comments)  # every range has its reference mark
        for cid, (start, end) in art.comments.items():
            anchored[(ref, start, end)] = cid
            assert art.text[start:end] == expected[(ref, start, end)].exact.removesuffix("\n")
    assert set(anchored) == set(expected)
    assert len(texts) == len(expected)
    for key, ann in expected.items():
        body = texts[anchored[key]]
        if ann.note:
            assert ann.note in body
        if ann.id in graded:
            assert "·" in body and ("Grading" in body)
    c1 = texts[anchored[("Doc 1", *at(d1.text, world["anns"]["c1"].exact))]]
    assert c1.startswith("Claim 1 · B2 · Asserted · Likely")  # "Claim 1", never "C1" (an Admiralty code)
    assert "Source: Syrian officials (Doc 1 ¶1)" in c1
    assert "Contradicted by claim 3" in c1
    authors = {c.author for c in document.comments}
    assert authors == {"ana"}


def test_a_discontinuous_annotation_marks_its_fragments(db, world, tmp_path):
    """An annotation with ``fragments`` (brat's discontinuous spans) is marked
    piece by piece; its comment spans the whole extent."""
    d1 = world["docs"][0]
    source = world["anns"]["source"]  # "An Iraqi source", with a note
    (a, b), (c, e) = at(d1.text, "An"), at(d1.text, "source")
    with db.repo.transaction():
        db.repo.update_annotation(replace(db.repo.get_annotation(source.id), fragments=[(a, b), (c, e)]))
    document, _ = brief(db, tmp_path, [d1])
    styles = mark_styles(document)
    art = articles(document)["Doc 1"]
    for s0, e0 in ((a, b), (c, e)):
        assert all(styles[r.style].fill for r in runs_over(art, s0, e0))
    gap = runs_over(art, b, c)
    assert art.text[b:c] == " Iraqi " and all(styles[r.style].fill is None for r in gap)
    assert [a, e] in art.comments.values()


def test_claim_numbers_link_to_bookmarks_on_the_claim(db, world, tmp_path):
    d1 = world["docs"][0]
    document, _ = brief(db, tmp_path, [d1])
    art = articles(document)["Doc 1"]
    claims = [a for a in live(db, d1) if a.label_id == world["labels"][LabelKind.CLAIM].id]
    assert len(art.bookmarks) == len(claims)
    for n, ann in enumerate(sorted(claims, key=lambda a: (a.start, -a.end)), 1):
        assert art.bookmarks[f"claim_{n}"] == [ann.start, ann.end]
    anchors = {h.get(W + "anchor") for h in document.element.body.iter(W + "hyperlink")}
    entries = {f"key_claim_{n}" for n in range(1, len(claims) + 1)}
    assert anchors == set(art.bookmarks) | entries
    # each key-claims entry carries its bookmark, on the "Claim N" of its heading
    heads = [p for p in document.element.body.iter(W + "p") if style_of(p) == "ClaimHeading"]
    for p in heads:
        [mark] = p.iter(W + "bookmarkStart")
        assert mark.get(W + "name") == "key_claim_" + para_text(p).split()[1]
    # after each claim's last letter its number, in superscript, linked to its entry
    by_end = {}
    for n, ann in enumerate(sorted(claims, key=lambda a: (a.start, -a.end)), 1):
        by_end.setdefault(ann.end, []).append(n)
    numbers = [(x.pos, x.text, x.anchor) for x in art.numbers]
    expected = []
    for end, ns in sorted(by_end.items()):
        for i, n in enumerate(ns):
            expected += ([(end, ",", None)] if i else []) + [(end, str(n), f"key_claim_{n}")]
    assert numbers == expected
    styles = {s.get(W + "styleId"): s for s in document.styles.element.findall(W + "style")}
    for x in art.numbers:
        st = styles[x.style]
        assert st.find(W + "basedOn").get(W + "val") == "ClaimNumber"
        assert st.find(W + "rPr").find(W + "color").get(W + "val") == world["labels"][LabelKind.CLAIM].color.lstrip("#").upper()
    assert styles["ClaimNumber"].find(W + "rPr").find(W + "vertAlign").get(W + "val") == "superscript"
    # without key claims the numbers stay, unlinked
    document, _ = brief(db, tmp_path, [d1], include_key_claims=False)
    art = articles(document)["Doc 1"]
    assert [(x.pos, x.text) for x in art.numbers] == [(p, t) for p, t, _a in expected]
    assert all(x.anchor is None for x in art.numbers)


def test_right_to_left(db, world, tmp_path):
    d1, d2, _ = world["docs"]
    document, _ = brief(db, tmp_path, [d1, d2])
    arts = articles(document)

    def bidi(p):
        ppr = p.find(W + "pPr")
        return ppr is not None and ppr.find(W + "bidi") is not None

    # in a left-to-right document only the Arabic line is set right to left
    assert [bidi(p) for p in arts["Doc 1"].paragraphs] == [False, False, True, False]
    # in a right-to-left document too, each line takes the direction of its first letter
    assert [bidi(p) for p in arts["Doc 2"].paragraphs] == [True, False]
    for art in arts.values():
        for run in art.runs:
            piece = art.text[run.start : run.end]
            has_arabic = any("\u0600" <= ch <= "\u06ff" for ch in piece)
            assert run.rtl == has_arabic, piece


# --- cover, key claims, tables -------------------------------------------------------------------------


def test_cover_and_marking_on_every_page(db, world, tmp_path):
    d1, d2, _ = world["docs"]
    for key, tlp in TLP.items():
        document, _ = brief(db, tmp_path, [d1, d2], tlp=key, title="Border brief")
        for section in document.sections:
            assert tlp.label in section.header.paragraphs[0].text
            assert tlp.label in section.footer.paragraphs[0].text
            assert not section.header.is_linked_to_previous
        styles = {s.get(W + "styleId"): s for s in document.styles.element.findall(W + "style")}
        label = styles["TLPLabel"].find(W + "rPr")
        assert label.find(W + "shd").get(W + "fill") == "000000"
        assert label.find(W + "color").get(W + "val") == tlp.colour
    assert {"clear": "FFFFFF", "green": "33FF00", "amber": "FFC000", "red": "FF2B2B"} == {
        k: TLP[k].colour for k in ("clear", "green", "amber", "red")
    }
    text = "\n".join(p.text for p in document.paragraphs)
    assert document.paragraphs[1].text == "Border brief"
    assert document.core_properties.title == "Border brief" and document.core_properties.author == "Ana Lyst"
    assert "Ana Lyst" in "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    docs_table = tables(document)["#|Title|Source|Published|Annotations"]
    assert [[plain(c) for c in r[:4]] for r in docs_table] == [["Doc\u00a01", "Border report", "The National", "2025-06"], ["Doc\u00a02", "تقرير الحدود", "Al Araby", "undated"]]  # no-break: "Doc 1" never wraps
    assert "Left out" not in text


def test_tables_match_the_database(db, world, tmp_path):
    d1, d2, _ = world["docs"]
    document, _ = brief(db, tmp_path, [d1, d2])
    t = tables(document)
    labels = {lb.id: lb for lb in db.repo.labels()}
    anns = [a for d in (d1, d2) for a in live(db, d)]

    def mentions(kind):
        counts = {}
        for a in anns:
            if labels[a.label_id].kind is kind:
                counts[a.entity_id] = counts.get(a.entity_id, 0) + 1
        return counts

    actors = t["Name|Type|Aliases|Mentions|First mention"]
    expected = mentions(LabelKind.ACTOR)
    assert {plain(row[0]): int(row[3]) for row in actors} == {db.repo.get_entity(e).name: n for e, n in expected.items()}
    first = {plain(row[0]): row[4] for row in actors}
    assert first["Syrian officials"] == "“Syrian officials” — Doc 1 ¶1"
    assert first["الحشد الشعبي"] == "“\u2068الحشد الشعبي\u2069” — Doc 2 ¶1"  # the Arabic isolated: "— Doc 2 ¶1" stays outside it
    assert plain(first["الحشد الشعبي"]) == "“الحشد الشعبي” — Doc 2 ¶1"

    locations = {plain(row[0]): row for row in t["Name|Type|Country|Coordinates|Mentions"]}
    assert set(locations) == {db.repo.get_entity(e).name for e in mentions(LabelKind.LOCATION)}
    assert locations["Iraq"][1:] == ["Country", "IQ", "33.3000° N, 44.4000° E", "1"]

    claims = t["#|Quote|Source|Grading|Stance|Likelihood"]
    graded = {**db.repo.claims_for_document(d1.id), **db.repo.claims_for_document(d2.id)}
    claim_anns = sorted((a for a in anns if labels[a.label_id].kind is LabelKind.CLAIM), key=lambda a: (a.document_id != d1.id, a.start, -a.end))
    assert [row[0] for row in claims] == [str(i) for i in range(1, len(claim_anns) + 1)]  # "#": 1, 2… not C1, C2…
    for row, ann in zip(claims, claim_anns, strict=True):
        assert plain(row[1]) == " ".join(ann.exact.split())
        c = graded.get(ann.id)
        assert row[3] == (f"{c.reliability}{c.credibility}" if c else "—")
        assert row[4] == (c.stance.capitalize() if c else "—")
        assert row[5] == (c.likelihood.capitalize() if c and c.likelihood else "—")
    assert claims[0][2] == "Syrian officials"


def test_key_claims_entries_and_order(db, world, tmp_path):
    d1, d2, _ = world["docs"]
    for order in ("position", "grading"):
        document, _ = brief(db, tmp_path, [d1, d2], order=order)
        heads = [para_text(p) for p in document.element.body.iter(W + "p") if style_of(p) == "ClaimHeading"]
        refs = [h.split()[0] for h in heads]
        refs = [" ".join(h.split()[:2]) for h in heads]
        if order == "position":
            assert refs == ["Claim 1", "Claim 2", "Claim 3", "Claim 4", "Claim 5"]
        else:  # A1, B2, B3, C4, then the ungraded claim
            assert refs == ["Claim 4", "Claim 1", "Claim 5", "Claim 3", "Claim 2"]
    quotes = [para_text(p) for p in document.element.body.iter(W + "p") if style_of(p) == "ClaimQuote"]
    assert "Syrian officials said 3,000 troops were sent to the border with Iraq near Al Bukamal." in quotes
    details = "\n".join(para_text(p) for p in document.element.body.iter(W + "p") if style_of(p) == "ClaimDetail")
    assert "Source: Syrian officials (Doc 1 ¶1) — reported by The National, 2025-06" in details
    assert "Contradicts claim 1" in details and "Contradicted by claim 3" in details and "Corroborated by claim 5" in details
    assert "Corroborated by “A document left out of the brief.” (not in this brief)" in details
    assert "About: Iraq, Syrian officials" in details or "About: Syrian officials, Iraq" in details


# --- claim numbers, right-to-left inside left-to-right, column widths, notes, emoji ---------------------


def test_claim_numbers_never_look_like_gradings(db, world, tmp_path):
    """Claims are "Claim 3" / "claim 3" / "3", never "C3": C1–C6 are Admiralty gradings."""
    d1, d2, _ = world["docs"]
    document, _ = brief(db, tmp_path, [d1, d2])
    body = "\n".join(para_text(p) for p in document.element.body.iter(W + "p"))
    everything = body + "\n".join(comments(document).values())
    assert set(re.findall(r"\bC\d+\b", everything)) == {"C4"}  # the one C grading given (claim 3's)
    heads = [para_text(p) for p in document.element.body.iter(W + "p") if style_of(p) == "ClaimHeading"]
    assert heads[2].startswith("Claim 3") and " C4 " in heads[2]
    assert "Claims are numbered claim 1, claim 2…" in body
    assert "Corroborated by claim 5" in body  # a reference reads as a claim, linked
    links = [para_text(h) for h in document.element.body.iter(W + "hyperlink")]
    assert {t for t in links if not t.isdigit()} == {f"Claim {n}" for n in range(1, 6)} | {"claim 1", "claim 3", "claim 5"}


def test_several_claims_in_one_reference(db, world, tmp_path):
    d1, d2, _ = world["docs"]
    a = world["anns"]
    with db.repo.transaction():
        db.repo.put_claim_link(ClaimLink(from_annotation_id=a["c2"].id, to_annotation_id=a["c1"].id, relation="contradicts"))
        db.repo.put_claim_link(ClaimLink(from_annotation_id=a["c4"].id, to_annotation_id=a["c1"].id, relation="contradicts"))
    document, _ = brief(db, tmp_path, [d1, d2])
    details = "\n".join(para_text(p) for p in document.element.body.iter(W + "p") if style_of(p) == "ClaimDetail")
    assert "Contradicted by claims 2, 3 and 4" in details
    c1 = next(t for t in comments(document).values() if t.startswith("Claim 1 "))
    assert "Contradicted by claims 2, 3 and 4" in c1


def _isolated(text):
    """Every right-to-left letter of ``text`` lies inside an FSI…PDI isolate."""
    depth = 0
    for ch in text:
        if ch in "\u2066\u2067\u2068":
            depth += 1
        elif ch == "\u2069":
            depth -= 1
        elif "\u0590" <= ch <= "\u08ff" and depth <= 0:
            return False
    return depth == 0


def test_right_to_left_quotes_are_isolated_in_left_to_right_lines(db, world, tmp_path):
    """“الحشد الشعبي” — ¶2 in a left-to-right line: the quote isolated (FSI…PDI)
    in a run of its own marked w:rtl, the place in another run, so bidi cannot
    pull "— ¶2" into the Arabic."""
    d1, d2, _ = world["docs"]
    a = world["anns"]
    pmf2 = db.repo.get_annotation(a["pmf2"].id)
    claim = db.repo.claims_for_document(d2.id)[a["c5"].id]
    world["desk"].set_claim(replace(claim, source_entity_id=pmf2.entity_id, source_annotation_id=pmf2.id))
    document, _ = brief(db, tmp_path, [d1, d2])

    def runs(p):
        out = []
        for r in p.iter(W + "r"):
            rpr = r.find(W + "rPr")
            out.append((para_text(r), rpr is not None and rpr.find(W + "rtl") is not None))
        return [x for x in out if x[0]]

    # the actors table: the first mention's quote and its place in separate runs
    cell = next(c for t in document.tables for row in t.rows for c in row.cells if c.text.startswith("“\u2068الحشد"))
    assert runs(cell.paragraphs[0]._p) == [("“", False), ("\u2068الحشد الشعبي\u2069", True), ("”", False), (" — Doc 2 ¶1", False)]
    # the key claims' source line
    source = next(p for p in document.element.body.iter(W + "p") if style_of(p) == "ClaimDetail" and "(Doc 2 ¶1)" in para_text(p))
    assert para_text(source) == "Source: \u2068الحشد الشعبي\u2069 (Doc 2 ¶1) — reported by Al Araby"
    assert ("\u2068الحشد الشعبي\u2069", True) in runs(source) and (" (Doc 2 ¶1)", False) in runs(source)
    # comments too
    c5 = next(t for t in comments(document).values() if t.startswith("Claim 5 "))
    assert "Source: \u2068الحشد الشعبي\u2069 (Doc 2 ¶1)" in c5
    # every left-to-right line the brief writes (not the document's own text) isolates its right-to-left text
    paras = list(document.element.body.iter(W + "p")) + [p._p for c in document.comments for p in c.paragraphs]
    for p in paras:
        ppr = p.find(W + "pPr")
        if style_of(p) == "ArticleText" or (ppr is not None and ppr.find(W + "bidi") is not None):
            continue
        assert _isolated(para_text(p)), para_text(p)
    for section in document.sections:
        for p in section.header.paragraphs + section.footer.paragraphs:
            assert _isolated(p.text), p.text


def test_a_right_to_left_quote_has_its_bar_on_the_right(db, world, tmp_path):
    d1, d2, _ = world["docs"]
    document, _ = brief(db, tmp_path, [d1, d2])
    quotes = {para_text(p): p for p in document.element.body.iter(W + "p") if style_of(p) in ("ClaimQuote", "ClaimQuoteRTL")}
    assert style_of(quotes["الحشد الشعبي 🇮🇶 لم يعبر الحدود"]) == "ClaimQuoteRTL"
    assert style_of(quotes[" ".join(world["anns"]["c1"].exact.split())]) == "ClaimQuote"
    styles = {s.get(W + "styleId"): s for s in document.styles.element.findall(W + "style")}
    rtl, ltr = styles["ClaimQuoteRTL"].find(W + "pPr"), styles["ClaimQuote"].find(W + "pPr")
    assert rtl.find(W + "bidi") is not None and ltr.find(W + "bidi") is None
    assert rtl.find(W + "pBdr").find(W + "right") is not None and rtl.find(W + "pBdr").find(W + "left") is None
    assert ltr.find(W + "pBdr").find(W + "left") is not None
    ind = rtl.find(W + "ind")
    assert ind.get(W + "left") == ind.get(W + "right")  # the same whichever side a word processor indents


def test_claims_table_columns_fit_their_words(db, world, tmp_path):
    """No header or value word breaks inside: Grading, Stance (Speculated), Likelihood."""
    from annotator.core.grading import LIKELIHOOD, STANCES
    from annotator.export.brief import fit_widths
    from annotator.export.template import CELL_PADDING_CM, word_width_cm

    d1, d2, _ = world["docs"]
    claim = db.repo.claims_for_document(d1.id)[world["anns"]["c3"].id]
    world["desk"].set_claim(replace(claim, stance="speculated", likelihood="roughly even chance"))
    document, _ = brief(db, tmp_path, [d1, d2])
    [tbl] = [t for t in document.tables if t.rows[0].cells[0].text == "#" and t.rows[0].cells[1].text == "Quote"]
    grid = [int(g.get(W + "w")) / 567 for g in tbl._tbl.find(W + "tblGrid").findall(W + "gridCol")]
    assert abs(sum(grid) - 17.0) < 0.05  # A4 less 2 cm margins
    for col, name in enumerate(["#", "Quote", "Source", "Grading", "Stance", "Likelihood"]):
        if name in ("Quote", "Source"):
            continue
        words = [(w, True) for w in name.split()]
        words += [(w, False) for row in tbl.rows[1:] for w in row.cells[col].text.split()]
        need = max(word_width_cm(w, 9, bold) for w, bold in words) + CELL_PADDING_CM
        assert grid[col] >= need - 1e-6, (name, grid[col], need)
    assert "Speculated" in [row.cells[4].text for row in tbl.rows[1:]]
    # every stance and ICD 203 word fits (the terms wrap at spaces only)
    widths = fit_widths(17.0, [0.8, 7.6, 3.0, 1.6, 1.8, 2.1], ["#", "Quote", "Source", "Grading", "Stance", "Likelihood"],
                        [["12"], ["x"], ["y"], ["C3"], [s.capitalize() for s in STANCES], [t.capitalize() for t, _ in LIKELIHOOD]])  # fmt: skip
    assert widths[4] >= word_width_cm("Speculated", 9) + CELL_PADDING_CM - 1e-6
    assert widths[5] >= max(word_width_cm(w, 9) for t, _ in LIKELIHOOD for w in t.split()) + CELL_PADDING_CM - 1e-6
    assert widths[5] >= word_width_cm("Likelihood", 9, True) + CELL_PADDING_CM - 1e-6
    assert abs(sum(widths) - 17.0) < 1e-6


def test_entity_notes_show_under_their_row(db, world, tmp_path):
    d1 = world["docs"][0]
    a = world["anns"]
    bukamal = db.repo.get_entity(db.repo.get_annotation(a["bukamal"].id).entity_id)
    pmf = db.repo.get_entity(db.repo.get_annotation(a["pmf"].id).entity_id)
    with db.repo.transaction():
        db.repo.update_entity(replace(bukamal, note="Border crossing to Al Qaim;\nreopened 2019."))
        db.repo.update_entity(replace(pmf, note="الحشد الشعبي: an umbrella of militias"))
    document, _ = brief(db, tmp_path, [d1])
    for header, name, note in (
        ("Name|Type|Country|Coordinates|Mentions", "Al Bukamal", "Note: Border crossing to Al Qaim; reopened 2019."),
        ("Name|Type|Aliases|Mentions|First mention", pmf.name, "Note: \u2068الحشد الشعبي: an umbrella of militias\u2069"),
    ):
        [tbl] = [t for t in document.tables if "|".join(c.text for c in t.rows[0].cells) == header]
        rows = tbl._tbl.findall(W + "tr")
        texts = [para_text(r) for r in rows]
        i = next(i for i, r in enumerate(rows) if para_text(r.find(W + "tc")) == isolate(name))
        note_row = rows[i + 1]
        [tc] = note_row.findall(W + "tc")  # one cell across the table
        assert tc.find(W + "tcPr").find(W + "gridSpan").get(W + "val") == "5"
        assert para_text(tc) == note
        assert style_of(tc.find(W + "p")) == "TableNote"

        def fill(tr):
            shd = tr.find(W + "tc").find(W + "tcPr").find(W + "shd")
            return None if shd is None else shd.get(W + "fill")

        assert fill(rows[i]) == fill(note_row)  # banded together
        assert sum(t.startswith("Note: ") for t in texts) == 1
    # without notes no note rows
    with db.repo.transaction():
        db.repo.update_entity(replace(db.repo.get_entity(bukamal.id), note=""))
        db.repo.update_entity(replace(db.repo.get_entity(pmf.id), note=""))
    document, _ = brief(db, tmp_path, [d1])
    assert "Note: " not in "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)


def test_emoji_runs_name_a_font_that_draws_them(db, world, tmp_path):
    from annotator.export.ooxml import EMOJI
    from annotator.export.template import EMOJI_FONT

    d1, d2, _ = world["docs"]
    document, _ = brief(db, tmp_path, [d1, d2])
    seen = 0
    for p in document.element.body.iter(W + "p"):
        for r in p.iter(W + "r"):
            text = para_text(r)
            rpr = r.find(W + "rPr")
            fonts = rpr.find(W + "rFonts") if rpr is not None else None
            if EMOJI.search(text):
                seen += 1
                assert "".join(m.group() for m in EMOJI.finditer(text)) == text, text  # emoji in runs of their own
                assert fonts is not None and {fonts.get(W + k) for k in ("ascii", "hAnsi", "eastAsia", "cs")} == {EMOJI_FONT}
            elif style_of(p) == "ArticleText":
                assert fonts is None
    assert seen >= 5  # the flag and the family in the texts, the key claim, the tables
    styles = mark_styles(document)
    art = articles(document)["Doc 1"]
    s, e = at(d1.text, "🇸🇾")
    [run] = runs_over(art, s, e)
    assert styles[run.style].fill  # the flag keeps its location mark


def test_a_claim_ending_with_its_line_is_numbered_at_the_end_of_that_line(db, world, tmp_path):
    desk = world["desk"]
    lb = world["labels"]
    doc = desk.import_document("First line.\nSecond line.\n", "Lines").document
    desk.add_annotation(doc.id, lb[LabelKind.CLAIM].id, 0, 12)  # "First line.\n"
    desk.add_annotation(doc.id, lb[LabelKind.CLAIM].id, 6, 24)  # "line.\nSecond line."
    document, _ = brief(db, tmp_path, [doc])
    art = articles(document)["Doc 1"]
    assert art.text == "First line.\nSecond line."
    assert [(x.pos, x.text) for x in art.numbers] == [(11, "1"), (24, "2")]
    first_line = art.paragraphs[0]
    assert [para_text(r) for r in first_line.iter(W + "r")][-1] == "1"  # at the end of line 1, not the start of line 2


# --- options -----------------------------------------------------------------------------------------------


def test_without_text_comments_or_tables(db, world, tmp_path):
    d1 = world["docs"][0]
    document, _ = brief(db, tmp_path, [d1], include_text=False)
    assert articles(document) == {}
    details = [para_text(p) for p in document.element.body.iter(W + "p") if style_of(p) == "ClaimDetail"]
    assert "Source: Syrian officials (¶1) — reported by The National, 2025-06" in details  # one document: no Doc 1
    assert len(document.comments) == 0
    assert not list(document.element.body.iter(W + "hyperlink"))  # nothing to link to
    assert "Claims|" in "\n".join(tables(document)) or "#|Quote|Source|Grading|Stance|Likelihood" in tables(document)

    document, _ = brief(db, tmp_path, [d1], include_comments=False)
    assert len(document.comments) == 0 and not list(document.element.body.iter(W + "commentRangeStart"))
    assert articles(document)["Doc 1"].text == LTR_TEXT.removesuffix("\n")

    document, _ = brief(db, tmp_path, [d1], include_tables=False)
    kept = {k for k in tables(document) if not k.startswith("Date|")}  # the cover's date and analyst
    assert kept == {"#|Title|Source|Published|Annotations", "Mark|Meaning", "|Source reliability||Information credibility", "Term|Probability"}


def test_label_filter(db, world, tmp_path):
    d1 = world["docs"][0]
    document, _ = brief(db, tmp_path, [d1], labels=["actor", "Claim"])
    styles = mark_styles(document)
    art = articles(document)["Doc 1"]
    assert art.text == LTR_TEXT.removesuffix("\n")
    used = {styles[r.style].name for r in art.runs if r.style}
    assert used and not any("Location" in name for name in used)
    s, e = at(d1.text, "Al Bukamal")
    over = [r for r in art.runs if r.start < e and r.end > s]
    assert over and all(styles[r.style].fill is None for r in over)  # the location is not marked
    t = tables(document)
    assert "Name|Type|Aliases|Mentions|First mention" in t
    assert "Name|Type|Country|Coordinates|Mentions" not in t
    with pytest.raises(InputError, match="unknown label 'people'"):
        brief(db, tmp_path, [d1], labels=["people"])


def test_bad_options(db, world, tmp_path):
    d1 = world["docs"][0]
    with pytest.raises(InputError, match="unknown TLP"):
        brief(db, tmp_path, [d1], tlp="purple")
    with pytest.raises(InputError, match="unknown order"):
        brief(db, tmp_path, [d1], order="random")
    with pytest.raises(InputError, match="no documents"):
        write_brief(db.repo, BriefOptions([]), tmp_path / "x.docx")
    with pytest.raises(InputError, match="no such folder"):
        write_brief(db.repo, BriefOptions([d1.id]), tmp_path / "missing" / "x.docx")


def test_progress_and_an_aborted_brief_leaves_the_old_file(db, world, tmp_path):
    d1, d2, _ = world["docs"]
    calls = []
    path = write_brief(db.repo, BriefOptions([d1.id, d2.id]), tmp_path / "b.docx", lambda *a: calls.append(a))
    totals = {t for _d, t, _w in calls}
    assert len(totals) == 1 and calls[0][0] <= 1 and calls[-1][:2] == (calls[-1][1], calls[-1][1])
    assert [d for d, _t, _w in calls] == sorted(d for d, _t, _w in calls)
    before = path.read_bytes()

    class Stop(Exception):
        pass

    def cancel(done, total, what):
        if what.startswith("Writing"):
            raise Stop

    with pytest.raises(Stop):
        write_brief(db.repo, BriefOptions([d1.id]), path, cancel)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".b.docx")) == []


def test_house_template_styles_win(db, world, tmp_path):
    d1 = world["docs"][0]
    document, path = brief(db, tmp_path, [d1])
    heading = document.styles["Heading 1"]
    heading.font.color.rgb = type(heading.font.color.rgb)(0x80, 0x00, 0x00)
    document.save(tmp_path / "house.docx")
    again, _ = brief(db, tmp_path, [d1], name="again.docx", template=tmp_path / "house.docx", tlp="red")
    assert str(again.styles["Heading 1"].font.color.rgb) == "800000"
    assert "TLP:RED" in again.sections[0].header.paragraphs[0].text
    assert articles(again)["Doc 1"].text == LTR_TEXT.removesuffix("\n")  # the template's old body is gone
    assert len([p for p in again.paragraphs if p.text == "Key claims"]) == 1
    (tmp_path / "bad.docx").write_text("not a zip")
    with pytest.raises(InputError, match="not a Word template"):
        brief(db, tmp_path, [d1], template=tmp_path / "bad.docx")


# --- command line and LibreOffice ---------------------------------------------------------------------


def test_cli_brief(db, world, tmp_path, capsys):
    d1, d2, _ = world["docs"]
    out = tmp_path / "cli.docx"
    args = ["--db", str(db.path), "brief", d1.id.hex[:8], str(d2.id), "-o", str(out), "--tlp", "green", "--labels", "actor,claim", "--no-text"]
    assert cli.main(args) == 0
    assert capsys.readouterr().out.strip() == str(out)
    document = open_docx(out)
    assert articles(document) == {} and "TLP:GREEN" in document.sections[0].footer.paragraphs[0].text
    assert cli.main(["--db", str(db.path), "brief", "zz", "-o", str(out)]) == 2
    assert "no document matches" in capsys.readouterr().err
    args = ["--db", str(db.path), "brief", str(d1.id), "-o", str(out), "--title", "Cli brief", "--analyst", "Jo",
            "--order", "grading", "--no-comments", "--no-tables"]  # fmt: skip
    assert cli.main(args) == 0
    document = open_docx(out)
    assert document.paragraphs[1].text == "Cli brief" and document.core_properties.author == "Jo"
    assert len(document.comments) == 0 and "#|Quote|Source|Grading|Stance|Likelihood" not in tables(document)
    heads = [" ".join(para_text(p).split()[:2]) for p in document.element.body.iter(W + "p") if style_of(p) == "ClaimHeading"]
    assert heads == ["Claim 4", "Claim 1", "Claim 3", "Claim 2"]
    assert "TLP:AMBER" in document.sections[0].header.paragraphs[0].text  # the default marking


def test_cli_brief_date_and_absolute_path(db, world, tmp_path, capsys, monkeypatch):
    d1 = world["docs"][0]
    monkeypatch.chdir(tmp_path)
    args = ["--db", str(db.path), "brief", str(d1.id), "-o", "rel.docx", "--date", "2025-06-21", "--analyst", "Jo"]
    assert cli.main(args) == 0
    assert capsys.readouterr().out.strip() == str((tmp_path / "rel.docx").resolve())  # not "rel.docx"
    document = open_docx(tmp_path / "rel.docx")
    cover = "\n".join(c.text for r in document.tables[0].rows for c in r.cells)
    assert "21 June 2025" in cover and "Jo · 21 June 2025" in document.sections[0].footer.paragraphs[0].text
    for bad in ("21/06/2025", "2025-13-01", "2025-6-1", "tomorrow"):
        assert cli.main(["--db", str(db.path), "brief", str(d1.id), "-o", "bad.docx", "--date", bad]) == 2
        err = capsys.readouterr().err
        assert err.startswith("annotator: bad date") and err.count("\n") == 1, err
    assert not (tmp_path / "bad.docx").exists()


def test_headless_run_default_writes_the_seed_brief(tmp_path, capsys):
    db_path = tmp_path / "seeded.db"
    assert cli.main(["--db", str(db_path), "run-default"]) == 0
    lines = capsys.readouterr().out.splitlines()
    brief_path = tmp_path / "seed-brief.docx"
    assert f"Brief of the seed article: {brief_path}" in lines and lines[-1] == f"Database: {db_path}"
    document = open_docx(brief_path)
    seed = open_database(db_path)
    try:
        [doc_id] = seed.repo.document_ids()
        text = seed.repo.get_document(doc_id).text
    finally:
        seed.close()
    assert articles(document)["Doc 1"].text == text.removesuffix("\n")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_converts_the_brief_to_pdf(db, world, tmp_path):
    d1, d2, _ = world["docs"]
    _, path = brief(db, tmp_path, [d1, d2])
    profile = tmp_path / "lo-profile"
    r = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    pdf = tmp_path / "brief.pdf"
    assert r.returncode == 0 and pdf.exists(), r.stderr
    data = pdf.read_bytes()
    pages = re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data)  # page objects, not the /Pages tree
    assert data.startswith(b"%PDF") and len(pages) >= 2


def test_the_seed_brief_reads_the_same_from_every_copy(tmp_path, capsys):
    """Two analysts who loaded the same seed get the same brief, word for word
    (nothing in it depends on row order or on UUIDs made at import)."""
    texts = []
    for name in ("a", "b"):
        folder = tmp_path / name
        folder.mkdir()
        assert cli.main(["--db", str(folder / "seed.db"), "--user", "Ana", "run-default"]) == 0
        document = open_docx(folder / "seed-brief.docx")
        texts.append([para_text(p) for p in document.element.body.iter(W + "p")])
    capsys.readouterr()
    assert texts[0] == texts[1] and len(texts[0]) > 100
