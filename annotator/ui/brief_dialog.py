"""File ▸ Export brief…: choose documents, labels, marking, cover and contents.

The dialog remembers (QSettings) the marking, the order, what to include and
the analyst named on the cover; the cover date starts at today every time
(a remembered date would silently backdate the next brief)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ..core.model import DocumentSummary, Label

ID_ROLE = Qt.ItemDataRole.UserRole + 1
TLPS = [("clear", "TLP:CLEAR"), ("green", "TLP:GREEN"), ("amber", "TLP:AMBER"), ("amber+strict", "TLP:AMBER+STRICT"), ("red", "TLP:RED")]


def safe_filename(title: str) -> str:
    name = re.sub(r"[^\w\- ]+", "", title, flags=re.UNICODE).strip()
    return (name[:80] or "brief") + ".docx"


class BriefDialog(QDialog):
    def __init__(self, docs: list[DocumentSummary], current: uuid.UUID | None, labels: list[Label],
                 suggest_title, folder: Path, settings, parent=None, user: str = ""):  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle("Export brief")
        self._suggest_title = suggest_title
        self._folder = folder
        self._settings = settings
        self._title_edited = False
        self.documents = QListWidget()
        self.documents.setMaximumHeight(130)
        for d in docs:
            item = QListWidgetItem(f"{d.title} — {d.source} {d.published}".strip(" —"))
            item.setData(ID_ROLE, d.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if d.id == current or (current is None and len(docs) == 1) else Qt.CheckState.Unchecked)
            self.documents.addItem(item)
        self.title = QLineEdit()
        self.title.textEdited.connect(lambda _t: setattr(self, "_title_edited", True))
        self._user = user
        self.analyst = QLineEdit(str(settings.value("brief/analyst", "") or user))
        self.analyst.setPlaceholderText(user or "analyst")
        self.date = QDateEdit(QDate.currentDate())
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.tlp = QComboBox()
        for value, text in TLPS:
            self.tlp.addItem(text, value)
        self.tlp.setCurrentIndex(max(0, self.tlp.findData(settings.value("brief/tlp", "amber"))))
        self.labels = []
        label_row = QHBoxLayout()
        for lb in labels:
            box = QCheckBox(lb.name)
            box.setChecked(True)
            box.setProperty("label_id", str(lb.id))
            self.labels.append(box)
            label_row.addWidget(box)
        label_row.addStretch(1)
        self.include = {}
        include_row = QHBoxLayout()
        for key, text in (("text", "Full text"), ("comments", "Comments"), ("tables", "Tables"),
                          ("key_claims", "Key claims"), ("legend", "Legend and scales")):  # fmt: skip
            box = QCheckBox(text)
            box.setChecked(settings.value(f"brief/include_{key}", True, type=bool))
            self.include[key] = box
            include_row.addWidget(box)
        self.include["sample"] = QCheckBox("The sample's annotations")
        self.include["sample"].setToolTip("The demonstration annotations a new database starts with (by “Annotator demo”)")
        self.include["sample"].setChecked(settings.value("brief/include_sample", False, type=bool))
        include_row.addWidget(self.include["sample"])
        include_row.addStretch(1)
        self.by_position = QRadioButton("Document and position")
        self.by_grading = QRadioButton("Grading (most reliable first)")
        (self.by_grading if settings.value("brief/order", "position") == "grading" else self.by_position).setChecked(True)
        order_row = QHBoxLayout()
        order_row.addWidget(self.by_position)
        order_row.addWidget(self.by_grading)
        order_row.addStretch(1)
        self.path = QLineEdit()
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)

        def row(layout) -> QWidget:
            w = QWidget()
            layout.setContentsMargins(0, 0, 0, 0)
            w.setLayout(layout)
            return w

        form = QFormLayout()
        form.addRow("Documents", self.documents)
        form.addRow("Title", self.title)
        form.addRow("Analyst", self.analyst)
        form.addRow("Date", self.date)
        form.addRow("Handling", self.tlp)
        form.addRow("Labels", row(label_row))
        form.addRow("Include", row(include_row))
        form.addRow("Key claims by", row(order_row))
        form.addRow("Save as", row(path_row))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.buttons)
        self.documents.itemChanged.connect(lambda _i: self._documents_changed())
        self._documents_changed()
        self.resize(620, self.sizeHint().height())

    def document_ids(self) -> list[uuid.UUID]:
        return [
            self.documents.item(i).data(ID_ROLE)
            for i in range(self.documents.count())
            if self.documents.item(i).checkState() == Qt.CheckState.Checked
        ]

    def _documents_changed(self) -> None:
        ids = self.document_ids()
        if ids and not self._title_edited:
            self.title.setText(self._suggest_title(ids))
            self.path.setText(str(self._folder / safe_filename(self.title.text())))
        self.export_button.setEnabled(bool(ids))

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save brief as", self.path.text(), "Word documents (*.docx)")
        if path:
            self.path.setText(path if path.lower().endswith(".docx") else path + ".docx")

    def options(self):
        """BriefOptions from the dialog (and remembered for next time)."""
        from ..export.brief import BriefOptions

        include = {k: box.isChecked() for k, box in self.include.items()}
        order = "grading" if self.by_grading.isChecked() else "position"
        s = self._settings
        s.setValue("brief/tlp", self.tlp.currentData())
        s.setValue("brief/order", order)
        for key, on in include.items():
            s.setValue(f"brief/include_{key}", on)
        analyst = " ".join(self.analyst.text().split())
        s.setValue("brief/analyst", analyst if analyst != self._user else "")  # the user's own name: follow the user
        labels = [box.property("label_id") for box in self.labels if box.isChecked()]
        return BriefOptions(
            document_ids=self.document_ids(),
            title=self.title.text().strip(),
            tlp=self.tlp.currentData(),
            labels=None if len(labels) == len(self.labels) else labels,
            include_text=include["text"],
            include_comments=include["comments"],
            include_tables=include["tables"],
            include_key_claims=include["key_claims"],
            include_legend=include["legend"],
            include_sample=include["sample"],
            order=order,
            analyst=analyst or self._user,
            date=self.cover_date(),
        )

    def cover_date(self) -> dt.date:
        d = self.date.date()
        return dt.date(d.year(), d.month(), d.day())

    def output_path(self) -> Path:
        return Path(self.path.text()).expanduser()
