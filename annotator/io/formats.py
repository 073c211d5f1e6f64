"""The suffixes of the document files the importers read, named in a module
that imports nothing, so that ``annotator --help`` lists them without
loading the importers (:data:`annotator.io.documents.LOADERS` must agree)."""

DOCUMENT_SUFFIXES = (".txt", ".md", ".docx", ".html", ".htm")
