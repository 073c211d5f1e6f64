"""The terms W3C Web Annotation JSON uses here, shared by the reader and
the writer (see :mod:`.w3c`)."""

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
NAMESPACE = "https://annotator.invalid/ns#"
"""Annotator's own terms (``annotator:entity``, ``annotator:claim``); never fetched."""
ENTITY_KEY = "annotator:entity"
CLAIM_KEY = "annotator:claim"
UNTAGGED = "Untagged"
"""Label given to annotations that carry no tagging body."""
URN_UUID = "urn:uuid:"
