"""Readers for the gold NER corpora used to train and evaluate the project's NER model.

In: a path to one of three gold formats (read-only; nothing is written).
Out: an iterator of :class:`GoldDoc` records, each a text with entity spans given as
CHARACTER offsets into that text, with the corpus label mapped to the kg NER label
(``METHOD``, ``TASK``, ``DATASET``, ``METRIC``) and the corpus's own label kept in
``raw_label`` (mention-level evaluation on SciERC reports per original type).

Formats:

- **SciERC** (``scierc/{train,dev,test}.json``): JSON lines with ``doc_key``, ``sentences``
  (token lists) and ``ner`` (per sentence, ``[start_tok, end_tok_inclusive, label]`` with
  document-global token indices). The text is every token joined by one space, sentences too.
- **GSAP-NER** (``paragraphs-folds0-6.jsonl.gz``, gzip or plain): JSON lines with ``pub``,
  ``unit``, ``text`` and ``entities`` as ``[start_char, end_char, label, surface]``. Its entities
  overlap (nested generic mentions, and the same span tagged both ``Dataset`` and ``Task``);
  the reader keeps them all and leaves overlap resolution to the consumer.
- **TDMSci** (``train_1500_v2.conll``): ``token<TAB>char_offset<TAB>BIO-tag`` per line, blank
  line between sentences. Each sentence becomes one :class:`GoldDoc`; its text is rebuilt from
  the tokens, with no space where the offsets say two tokens touch and one space otherwise
  (the offsets run over a whole file section and are occasionally off by a few characters).

Label mappings are plain dicts (``SCIERC_LABELS`` …); a raw label missing from the mapping, or
mapped to ``None``, is dropped. Pass ``label_map=None`` to keep every span with its raw label.
Malformed input raises :class:`kg.errors.InputError` naming the file and line.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from kg.errors import InputError
from kg.ingest.text import json_lines

NER_LABELS: tuple[str, ...] = ("METHOD", "TASK", "DATASET", "METRIC")

LabelMap = Mapping[str, str | None]

#: SciERC → kg. ``Material`` (corpora, data, languages, images…) is the closest SciERC type to
#: DATASET; ``OtherScientificTerm`` and ``Generic`` ("this method") have no kg counterpart.
SCIERC_LABELS: dict[str, str | None] = {
    "Method": "METHOD",
    "Task": "TASK",
    "Metric": "METRIC",
    "Material": "DATASET",
    "OtherScientificTerm": None,
    "Generic": None,
}

#: GSAP-NER → kg. Named and unnamed methods, named models and architectures are all METHOD;
#: named datasets and data sources (CommonCrawl, Wikipedia) are DATASET. Generic mentions
#: ("our model", "the data"), references and URLs are dropped. GSAP-NER has no metric type.
GSAP_LABELS: dict[str, str | None] = {
    "Method": "METHOD",
    "MLModel": "METHOD",
    "ModelArchitecture": "METHOD",
    "Task": "TASK",
    "Dataset": "DATASET",
    "Datasource": "DATASET",
    "MLModelGeneric": None,
    "DatasetGeneric": None,
    "ReferenceLink": None,
    "URL": None,
}

#: TDMSci → kg (its tags already use kg names). TDMSci has no method type.
TDMSCI_LABELS: dict[str, str | None] = {"TASK": "TASK", "DATASET": "DATASET", "METRIC": "METRIC"}


@dataclass(frozen=True)
class GoldSpan:
    """One gold mention: ``text[start:end]`` of type ``label`` (``raw_label`` in the corpus's own scheme)."""

    start: int
    end: int
    label: str
    raw_label: str


@dataclass(frozen=True)
class GoldDoc:
    """One annotated text. ``source`` says where it was read ("file:line")."""

    id: str
    text: str
    spans: tuple[GoldSpan, ...]
    source: str = ""

    def mentions(self) -> list[tuple[str, str]]:
        """The ``(surface text, label)`` of every span, for eyeballing and tests."""
        return [(self.text[s.start : s.end], s.label) for s in self.spans]


def _open_text(path: Path) -> TextIO:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def _map(raw: str, label_map: LabelMap | None) -> str | None:
    return raw if label_map is None else label_map.get(raw)


def _json_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    for lineno, record in json_lines(path):
        if not isinstance(record, dict):
            raise InputError("expected a JSON object", path=str(path), line=lineno)
        yield lineno, record


def read_scierc(path: str | Path, label_map: LabelMap | None = SCIERC_LABELS) -> Iterator[GoldDoc]:
    """Read a SciERC JSON-lines file (one abstract per line).

    Args:
        path: ``train.json``, ``dev.json`` or ``test.json``.
        label_map: raw SciERC type → kg label (``None`` keeps raw labels).

    Yields:
        One :class:`GoldDoc` per abstract; its text is the tokens joined by single spaces.

    Raises:
        InputError: a line is not JSON, lacks ``sentences``/``ner``, or a span is out of range.
    """
    path = Path(path)
    for lineno, rec in _json_lines(path):
        sentences, ner = rec.get("sentences"), rec.get("ner")
        if not isinstance(sentences, list) or not isinstance(ner, list):
            raise InputError("expected lists 'sentences' and 'ner'", path=str(path), line=lineno)
        if len(ner) != len(sentences):
            raise InputError(f"{len(sentences)} sentences but {len(ner)} 'ner' lists", path=str(path),
                             line=lineno, field="ner")
        starts: list[int] = []  # char offset of each document-global token
        ends: list[int] = []
        sent_bounds: list[tuple[int, int]] = []  # first and last+1 token index per sentence
        pieces: list[str] = []
        offset = 0
        for sent in sentences:
            if not isinstance(sent, list) or not all(isinstance(t, str) and t for t in sent):
                raise InputError("a sentence must be a list of non-empty token strings", path=str(path),
                                 line=lineno, field="sentences")
            sent_bounds.append((len(starts), len(starts) + len(sent)))
            for tok in sent:
                if pieces:
                    offset += 1
                starts.append(offset)
                pieces.append(tok)
                offset += len(tok)
                ends.append(offset)
        text = " ".join(pieces)
        spans: list[GoldSpan] = []
        for (first, stop), sent_ner in zip(sent_bounds, ner, strict=True):
            for item in sent_ner:
                if not (isinstance(item, list) and len(item) == 3 and isinstance(item[0], int)
                        and isinstance(item[1], int) and isinstance(item[2], str)):
                    raise InputError(f"expected [start_tok, end_tok, label], got {item!r}", path=str(path),
                                     line=lineno, field="ner")
                s, e, raw = item
                if not first <= s <= e < stop:
                    raise InputError(f"span {item!r} is outside its sentence's tokens {first}..{stop - 1}",
                                     path=str(path), line=lineno, field="ner")
                label = _map(raw, label_map)
                if label is not None:
                    spans.append(GoldSpan(starts[s], ends[e], label, raw))
        doc_id = str(rec.get("doc_key", f"{path.name}:{lineno}"))
        yield GoldDoc(doc_id, text, tuple(sorted(spans, key=_span_key)), f"{path}:{lineno}")


def read_gsap(path: str | Path, label_map: LabelMap | None = GSAP_LABELS) -> Iterator[GoldDoc]:
    """Read GSAP-NER paragraphs (JSON lines, optionally gzipped).

    Args:
        path: ``paragraphs-folds0-6.jsonl.gz`` or an uncompressed equivalent.
        label_map: raw GSAP-NER type → kg label (``None`` keeps raw labels).

    Yields:
        One :class:`GoldDoc` per paragraph, id ``"<pub>/<unit>"``. Spans may overlap; empty
        entities (start == end, a handful in the corpus) are skipped.

    Raises:
        InputError: a line is not JSON, lacks ``text``/``entities``, or an entity's offsets are out of
            range or do not match its surface string.
    """
    path = Path(path)
    for lineno, rec in _json_lines(path):
        text, entities = rec.get("text"), rec.get("entities")
        if not isinstance(text, str) or not isinstance(entities, list):
            raise InputError("expected a string 'text' and a list 'entities'", path=str(path), line=lineno)
        spans: list[GoldSpan] = []
        for item in entities:
            if not (isinstance(item, list) and len(item) >= 3 and isinstance(item[0], int)
                    and isinstance(item[1], int) and isinstance(item[2], str)):
                raise InputError(f"expected [start, end, label, surface], got {item!r}", path=str(path),
                                 line=lineno, field="entities")
            s, e, raw = item[0], item[1], item[2]
            if not 0 <= s <= e <= len(text):
                raise InputError(f"entity {item!r} is outside the text (length {len(text)})", path=str(path),
                                 line=lineno, field="entities")
            if len(item) > 3 and text[s:e] != item[3]:
                raise InputError(f"entity {item!r} does not match the text there ({text[s:e]!r})",
                                 path=str(path), line=lineno, field="entities")
            label = _map(raw, label_map)
            if label is not None and s < e:  # the corpus has a few empty entities: nothing to learn from
                spans.append(GoldSpan(s, e, label, raw))
        doc_id = f"{rec.get('pub', path.name)}/{rec.get('unit', lineno)}"
        yield GoldDoc(doc_id, text, tuple(sorted(spans, key=_span_key)), f"{path}:{lineno}")


_TAG = re.compile(r"^(?:O|([BI])-(\S+))$")


def read_tdmsci(path: str | Path, label_map: LabelMap | None = TDMSCI_LABELS) -> Iterator[GoldDoc]:
    """Read a TDMSci CoNLL file (``token<TAB>offset<TAB>tag``, blank line between sentences).

    An ``I-X`` tag that does not continue an ``X`` mention starts a new one (the usual lenient
    BIO reading).

    Args:
        path: ``train_1500_v2.conll`` or a file in the same format.
        label_map: raw TDMSci type → kg label (``None`` keeps raw labels).

    Yields:
        One :class:`GoldDoc` per sentence, id ``"<file name>:<first line>"``.

    Raises:
        InputError: a line does not have three tab-separated fields, an integer offset and a BIO tag.
    """
    path = Path(path)
    with _open_text(path) as fh:
        rows: list[tuple[int, str, int, str | None, str | None]] = []
        for lineno, line in enumerate(fh, start=1):
            line = line.rstrip("\r\n")
            if not line.strip():
                if rows:
                    yield _tdmsci_sentence(path, rows, label_map)
                    rows = []
                continue
            fields = line.split("\t")
            if len(fields) != 3 or not fields[0]:
                raise InputError(f"expected 'token<TAB>offset<TAB>tag', got {line!r}", path=str(path),
                                 line=lineno)
            token, off, tag = fields
            if not off.isdigit():
                raise InputError(f"offset {off!r} is not a non-negative integer", path=str(path), line=lineno)
            m = _TAG.match(tag)
            if m is None:
                raise InputError(f"tag {tag!r} is not O, B-<type> or I-<type>", path=str(path), line=lineno)
            rows.append((lineno, token, int(off), m.group(1), m.group(2)))
        if rows:
            yield _tdmsci_sentence(path, rows, label_map)


def _tdmsci_sentence(path: Path, rows: list[tuple[int, str, int, str | None, str | None]],
                     label_map: LabelMap | None) -> GoldDoc:
    pieces: list[str] = []
    cursor = 0  # length of the rebuilt text so far
    prev_end: int | None = None  # end of the previous token by the file's offsets
    spans: list[GoldSpan] = []
    open_span: tuple[int, int, str] | None = None  # start, end, raw label of the mention being read
    for _lineno, token, off, bio, raw in rows:
        if prev_end is not None and off != prev_end:
            pieces.append(" ")
            cursor += 1
        start = cursor
        pieces.append(token)
        cursor += len(token)
        prev_end = off + len(token)
        if bio == "I" and open_span is not None and open_span[2] == raw:
            open_span = (open_span[0], cursor, open_span[2])
            continue
        if open_span is not None:
            spans.append(_gold(open_span, label_map))
            open_span = None
        if raw is not None:
            open_span = (start, cursor, raw)
    if open_span is not None:
        spans.append(_gold(open_span, label_map))
    kept = tuple(s for s in spans if s.label)
    return GoldDoc(f"{path.name}:{rows[0][0]}", "".join(pieces), kept, f"{path}:{rows[0][0]}")


def _gold(span: tuple[int, int, str], label_map: LabelMap | None) -> GoldSpan:
    label = _map(span[2], label_map)
    return GoldSpan(span[0], span[1], label or "", span[2])


def _span_key(span: GoldSpan) -> tuple[int, int, str]:
    return (span.start, -span.end, span.label)


READERS = {"scierc": read_scierc, "gsap": read_gsap, "tdmsci": read_tdmsci}
