"""Training and evaluation data for the project's own spaCy NER model.

``corpora`` reads the gold corpora (SciERC, GSAP-NER, TDMSci) into :class:`GoldDoc` records with
character offsets; ``train`` turns them into spaCy ``DocBin`` files and trains ``ner.cfg`` into
``kg/extract/ner_model``. Nothing here is imported at run time by the extractor.
"""

from kg.extract.training.corpora import (
    GSAP_LABELS,
    NER_LABELS,
    SCIERC_LABELS,
    TDMSCI_LABELS,
    GoldDoc,
    GoldSpan,
    read_gsap,
    read_scierc,
    read_tdmsci,
)

__all__ = [
    "GSAP_LABELS",
    "NER_LABELS",
    "SCIERC_LABELS",
    "TDMSCI_LABELS",
    "GoldDoc",
    "GoldSpan",
    "read_gsap",
    "read_scierc",
    "read_tdmsci",
]
