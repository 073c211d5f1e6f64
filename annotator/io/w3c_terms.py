"""The terms W3C Web Annotation JSON uses here, shared by the reader and
the writer (see :mod:`.w3c`)."""

import re

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
NAMESPACE = "https://annotator.invalid/ns#"
"""Annotator's own terms (``annotator:entity``, ``annotator:claim``); never fetched."""
ENTITY_KEY = "annotator:entity"
CLAIM_KEY = "annotator:claim"
UNTAGGED = "Untagged"
"""Label given to annotations that carry no tagging body."""
URN_UUID = "urn:uuid:"
MOTIVATIONS = frozenset({
    "assessing", "bookmarking", "classifying", "commenting", "describing", "editing", "highlighting",
    "identifying", "linking", "moderating", "questioning", "replying", "tagging",
})  # fmt: skip
"""The W3C motivations (and purposes); others must be IRIs or prefixed names (``ex:citing``)."""
NOT_IRI = re.compile(r'[\s<>"{}|\\^`\x00-\x1f\x7f]')
"""What an IRI (or a relative reference to one) cannot hold."""
