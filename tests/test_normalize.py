import pytest

from kg.extract.normalize import norm_key, singular


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Vision Transformers", "vision transformer"),
        ("vision-transformer", "Vision Transformer"),
        ("ViTs", "ViT"),
        ("LLMs", "llm"),
        ("graph neural networks", "Graph Neural Network"),
        ("“BERT”", "BERT"),
    ],
)
def test_normalize_variants_share_a_key(a, b):
    assert norm_key(a) == norm_key(b)


@pytest.mark.parametrize(("word", "expected"), [("strategies", "strategy"), ("losses", "loss"), ("class", "class"),
                                                 ("analysis", "analysis"), ("boxes", "box"), ("GANs", "GAN")])
def test_normalize_singular(word, expected):
    assert singular(word) == expected


def test_normalize_distinct_things_stay_distinct():
    assert norm_key("ResNet-50") != norm_key("ResNet-101")
    assert norm_key("GPT-4") != norm_key("GPT-3")
