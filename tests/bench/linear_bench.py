"""Paths that must stay linear on large but legitimate inputs (issue 17).

Each line times the same work at n and at 4n and reports
``time(4n) / (4 * time(n))``: 1.0 is linear, 4.0 quadratic; the target is
<= 1.5. Times are CPU seconds of the process doing the work (less disturbed
by other load on the machine than wall time), the best of ``repeat`` runs.

* ``brief_paragraph_linear``: a Word brief of one document whose single
  paragraph holds n overlapping annotations (one in ten with a note, so with
  comments), text only;
* ``w3c_export_linear``: W3C export of n annotations through the export entry
  point, each size in a fresh process that also reports how far its resident
  memory rose above what it was once the database was open (Linux: the
  high-water mark is reset then, through ``/proc/self/clear_refs``; opening
  a bigger database costs more on its own). ``w3c_export_mem_per_file`` is
  that rise's growth from n to 4n over the file's growth: about 7 when the
  whole file was built in memory, near 0 streamed;
* ``w3c_new_labels_linear``: importing a W3C file whose n annotations each
  name a label the database does not have;
* ``docx_footnotes_linear``: reading a .docx with n footnotes, each referenced.

Run alone: .venv/bin/python tests/bench/linear_bench.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BRIEF_N = 4_000
W3C_EXPORT_N = 5_000
NEW_LABELS_N = 2_000
FOOTNOTES_N = 4_000
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _ratio(small: float, large: float) -> float:
    return round(large / (4 * small), 3) if small > 0 else float("inf")


def _best(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best


def _words(n: int) -> str:
    """One line of n eight-character words ("w000000 w000001 …")."""
    return " ".join(f"w{i:06d}" for i in range(n)) + "\n"


# --- the brief: one paragraph ------------------------------------------------------------


def build_paragraph_db(path: Path, n: int, names: int = 50) -> uuid.UUID:
    """A document of one line holding n annotations, each over three words and
    overlapping the next two; actors and locations name one of ``names``
    entities, every third is a claim, one in ten has a note."""
    from annotator.core.services import AnnotationDraft, Desk
    from annotator.store.database import open_database

    text = _words(n + 2)
    kinds = ("Actor", "Location", "Claim")
    drafts = [
        AnnotationDraft(label=kinds[i % 3], start=8 * i, end=8 * i + 23, note="Checked." if i % 10 == 0 else "",
                        entity_name=f"Name {i % names}" if i % 3 < 2 else "")
        for i in range(n)
    ]  # fmt: skip
    db = open_database(path)
    try:
        desk = Desk(db.repo, "bench")
        desk.ensure_tagset()
        doc = desk.import_document(text, "One paragraph").document
        report = desk.import_annotations(doc.id, drafts)
        assert len(report.added) == n, report.orphans[:3]
        return doc.id
    finally:
        db.close()


def bench_brief_paragraph(tmp: Path, n: int = BRIEF_N, repeat: int = 2) -> dict:
    from annotator.export.brief import BriefOptions, write_brief
    from annotator.store.database import open_database

    times = {}
    for size in (n, 4 * n):
        db_path = tmp / f"paragraph-{size}.db"
        doc_id = build_paragraph_db(db_path, size)
        options = BriefOptions([doc_id], analyst="bench", include_tables=False, include_key_claims=False, include_legend=False)
        db = open_database(db_path)
        try:
            times[size] = _best(lambda db=db, o=options, s=size: write_brief(db.repo, o, tmp / f"paragraph-{s}.docx"), repeat)
        finally:
            db.close()
    return {
        "brief_paragraph_n": n,
        "brief_paragraph_n_s": round(times[n], 3),
        "brief_paragraph_4n_s": round(times[4 * n], 3),
        "brief_paragraph_linear": _ratio(times[n], times[4 * n]),
    }


# --- W3C export: time and memory ------------------------------------------------------------

_EXPORT_CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from annotator.io.interchange import export_annotation_file
from annotator.store.database import open_database
db = open_database({db!r}, verify=False)
doc = db.repo.get_document(db.repo.document_ids()[0])
def hwm():
    try:
        with open("/proc/self/status") as fh:
            return int(next(line for line in fh if line.startswith("VmHWM:")).split()[1])
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
def rss():
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * resource.getpagesize() // 1024
    except OSError:
        return hwm()
try:
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")  # the high-water mark starts again from here
except OSError:
    pass
before = rss()
t0 = time.process_time()
export_annotation_file(db.repo, doc, {out!r})
cpu = time.process_time() - t0
print(json.dumps({{"cpu": cpu, "rise_kb": hwm() - before}}))
"""


def export_in_child(db_path: Path, out: Path) -> dict:
    """Export the database's first document to ``out`` in a fresh process:
    the export's CPU time and how far its resident memory rose (KiB)."""
    code = _EXPORT_CHILD.format(root=str(ROOT), db=str(db_path), out=str(out))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env={**os.environ})
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_w3c_export(tmp: Path, n: int = W3C_EXPORT_N, repeat: int = 2) -> dict:
    runs = {}
    for size in (n, 4 * n):
        db_path = tmp / f"export-{size}.db"
        build_paragraph_db(db_path, size)
        out = tmp / f"export-{size}.json"
        results = [export_in_child(db_path, out) for _ in range(repeat)]
        runs[size] = (min(r["cpu"] for r in results), min(r["rise_kb"] for r in results) / 1024, out.stat().st_size / 2**20)
    (t1, m1, f1), (t4, m4, f4) = runs[n], runs[4 * n]
    return {
        "w3c_export_n": n,
        "w3c_export_n_s": round(t1, 3),
        "w3c_export_4n_s": round(t4, 3),
        "w3c_export_linear": _ratio(t1, t4),
        "w3c_export_4n_file_mb": round(f4, 1),
        "w3c_export_n_rise_mb": round(m1, 1),
        "w3c_export_4n_rise_mb": round(m4, 1),
        "w3c_export_mem_per_file": round((m4 - m1) / (f4 - f1), 3),
    }


# --- W3C import creating new labels ---------------------------------------------------------


def new_labels_file(path: Path, n: int) -> None:
    """A W3C file of n annotations on ``_words(n)``, each tagged with a label of its own."""
    annos = [
        {
            "@context": "http://www.w3.org/ns/anno.jsonld",
            "id": f"urn:uuid:{uuid.UUID(int=i + 1)}",
            "type": "Annotation",
            "motivation": "tagging",
            "body": [{"type": "TextualBody", "purpose": "tagging", "value": f"Label {i:06d}"}],
            "target": {"source": "doc", "selector": [{"type": "TextPositionSelector", "start": 8 * i, "end": 8 * i + 7}]},
        }
        for i in range(n)
    ]
    path.write_text(json.dumps(annos), encoding="utf-8")


def bench_w3c_new_labels(tmp: Path, n: int = NEW_LABELS_N, repeat: int = 2) -> dict:
    from annotator.core.services import Desk
    from annotator.io.interchange import import_annotation_file
    from annotator.store.database import open_database

    times = {}
    for size in (n, 4 * n):
        text = _words(size)
        path = tmp / f"labels-{size}.json"
        new_labels_file(path, size)
        best = float("inf")
        for r in range(repeat):  # a fresh database each time: every label is new
            db = open_database(tmp / f"labels-{size}-{r}.db")
            try:
                desk = Desk(db.repo, "bench")
                desk.ensure_tagset()
                doc = desk.import_document(text, "Labels").document
                t0 = time.process_time()
                result = import_annotation_file(desk, doc.id, path)
                best = min(best, time.process_time() - t0)
                assert len(result.report.added) == size, result.summary()
            finally:
                db.close()
        times[size] = best
    return {
        "w3c_new_labels_n": n,
        "w3c_new_labels_n_s": round(times[n], 3),
        "w3c_new_labels_4n_s": round(times[4 * n], 3),
        "w3c_new_labels_linear": _ratio(times[n], times[4 * n]),
    }


# --- .docx with footnotes -------------------------------------------------------------------


def footnotes_docx(path: Path, n: int) -> None:
    """A .docx whose one paragraph references n footnotes, in order."""
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml.parser import parse_xml

    ns = f'xmlns:w="{W}"'
    notes = "".join(
        f'<w:footnote w:id="{i}"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> Source {i}.</w:t></w:r></w:p></w:footnote>'
        for i in range(1, n + 1)
    )
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes {ns}>'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
        f"{notes}</w:footnotes>"
    ).encode()
    d = docx.Document()
    part = Part(PackURI("/word/footnotes.xml"), "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml", xml, d.part.package)
    d.part.relate_to(part, RT.FOOTNOTES)
    p = d.add_paragraph("Claims:")
    refs = "".join(f'<w:r><w:t xml:space="preserve"> c{i}</w:t></w:r><w:r><w:footnoteReference w:id="{i}"/></w:r>' for i in range(1, n + 1))
    for run in list(parse_xml(f"<w:p {ns}>{refs}</w:p>")):
        p._p.append(run)  # noqa: SLF001 - python-docx has no footnote API
    d.save(str(path))


def bench_docx_footnotes(tmp: Path, n: int = FOOTNOTES_N, repeat: int = 2) -> dict:
    from annotator.io.docx_import import read_docx

    times = {}
    for size in (n, 4 * n):
        path = tmp / f"footnotes-{size}.docx"
        footnotes_docx(path, size)
        times[size] = _best(lambda p=path: read_docx(p), repeat)
        assert f"[{size}] Source {size}." in read_docx(path).text
    return {
        "docx_footnotes_n": n,
        "docx_footnotes_n_s": round(times[n], 3),
        "docx_footnotes_4n_s": round(times[4 * n], 3),
        "docx_footnotes_linear": _ratio(times[n], times[4 * n]),
    }


def bench_linear() -> dict:
    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        results.update(bench_brief_paragraph(tmp))
        results.update(bench_w3c_export(tmp))
        results.update(bench_w3c_new_labels(tmp))
        results.update(bench_docx_footnotes(tmp))
        results["linear_total_s"] = round(time.perf_counter() - t0, 1)
    return results


if __name__ == "__main__":
    for k, v in bench_linear().items():
        print(f"{k:<32}{v:>10}")
