import pytest

from kg.extract.abbreviations import find_abbreviations


@pytest.mark.parametrize(
    ("text", "long", "short"),
    [
        ("We use Mixture-of-Experts (MoE) layers.", "Mixture-of-Experts", "MoE"),
        ("Vision Transformer (ViT) demonstrates", "Vision Transformer", "ViT"),
        ("trained on ImageNet-1K (IN-1K) only", "ImageNet-1K", "IN-1K"),
        ("for automatic speech recognition (ASR).", "automatic speech recognition", "ASR"),
        ("Extreme Classification (XC) seeks to tag", "Extreme Classification", "XC"),
        ("graph neural networks (GNNs) are", "graph neural networks", "GNNs"),
        ("the Penn Treebank (PTB; Marcus et al.) corpus", "Penn Treebank", "PTB"),
    ],
)
def test_abbreviations_pairs_long_and_short(text, long, short):
    (ab,) = find_abbreviations(text)
    assert (ab.long, ab.short) == (long, short)
    assert text[ab.long_start:ab.long_end] == long
    assert text[ab.short_start:ab.short_end] == short


@pytest.mark.parametrize("text", ["this (see Fig. 2) shows", "a model (ours) wins", "accuracy (in %) grows", "x (a)"])
def test_abbreviations_ignores_non_definitions(text):
    assert find_abbreviations(text) == []
