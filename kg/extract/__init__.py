"""Extraction — the only package that imports spaCy: Paper → PaperExtraction (entities, roles, evidence)."""

from kg.extract.extractor import Extractor

__all__ = ["Extractor"]
