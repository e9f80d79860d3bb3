"""SHACL validation of a built graph against ``ontology/shapes.ttl`` (pySHACL).

Input: an rdflib ``Graph`` (data plus the ontology, so ``sh:class`` sees subclasses). Output: None,
or ``ShapeViolation`` carrying pySHACL's readable report.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pyshacl import validate
from rdflib import Graph

from kg.errors import ShapeViolation
from ontology import SHAPES_TTL


@cache
def _shapes(path: Path = SHAPES_TTL) -> Graph:
    return Graph().parse(path, format="turtle")


def check_shapes(data: Graph, shapes_path: Path = SHAPES_TTL) -> None:
    """Raise ``ShapeViolation`` when ``data`` does not conform; return None when it does."""
    conforms, _, text = validate(data, shacl_graph=_shapes(shapes_path), inference="none", advanced=False,
                                 allow_warnings=True)
    if not conforms:
        raise ShapeViolation(text)
