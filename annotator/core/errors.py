"""Errors that carry a message fit to show the user as it is."""


class AnnotatorError(Exception):
    """Base class: ``str(exc)`` is one clear line for the user."""


class InputError(AnnotatorError):
    """A file or value given by the user cannot be used."""


class NotFound(AnnotatorError):
    """A document, annotation, label or entity does not exist (or is deleted)."""


class StoreError(AnnotatorError):
    """The database cannot be used: not ours, newer, damaged or read-only."""
