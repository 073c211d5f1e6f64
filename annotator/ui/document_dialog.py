"""Document properties: the metadata an analyst may correct (title, source,
date, address, language, description). The text itself is shown only as
facts: it is immutable, since every offset counts into it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
)

from ..core.model import Direction, Document
from ..core.services import DOCUMENT_FIELDS


class DocumentDialog(QDialog):
    def __init__(self, doc: Document, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Document properties")
        self.setMinimumWidth(520)
        self.doc = doc
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.title_edit = QLineEdit(doc.title)
        self.source_edit = QLineEdit(doc.source, placeholderText="who published it, e.g. The National")
        self.published_edit = QLineEdit(doc.published, placeholderText="YYYY-MM-DD, or YYYY-MM")
        self.url_edit = QLineEdit(doc.url, placeholderText="https://…")
        self.language_edit = QLineEdit(doc.language, placeholderText="a language code, e.g. en, ar, fa")
        self.description_edit = QPlainTextEdit(doc.description)
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        for label, widget in (("&Title", self.title_edit), ("&Source", self.source_edit), ("&Published", self.published_edit),
                              ("&Address", self.url_edit), ("&Language", self.language_edit),
                              ("&Description", self.description_edit)):  # fmt: skip
            form.addRow(label, widget)
        direction = "right to left" if doc.direction == Direction.RTL else "left to right"
        facts = QLabel(
            f"{doc.filename or 'no file name'} · {len(doc.text):,} characters · {direction} · "
            f"imported by {doc.creator or 'unknown'} on {doc.created:%Y-%m-%d %H:%M} UTC\n"
            f"SHA-256 {doc.sha256[:16]}… — the text is never changed after import (every annotation counts into it)."
        )
        facts.setWordWrap(True)
        facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(facts)
        layout.addWidget(buttons)
        self.title_edit.selectAll()

    def _accept(self) -> None:
        if not self.title_edit.text().strip():
            self.title_edit.setFocus()
            self.title_edit.setPlaceholderText("a document needs a title")
            return
        self.accept()

    def fields(self) -> dict[str, str]:
        """The values as entered (the service trims them)."""
        values = {
            "title": self.title_edit.text(),
            "source": self.source_edit.text(),
            "published": self.published_edit.text(),
            "url": self.url_edit.text(),
            "language": self.language_edit.text(),
            "description": self.description_edit.toPlainText(),
        }
        assert set(values) == set(DOCUMENT_FIELDS)
        return values
