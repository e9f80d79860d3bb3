import pytest

from kg.extract.normalize import canonical_key, norm_key, singular


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


@pytest.mark.parametrize(("a", "b"), [
    ("Hugging Face", "HuggingFace"), ("MVTec AD", "MVTecAD"), ("NExT-QA", "NextQA"), ("Ego-Exo4D", "EgoExo4D"),
    ("Large Multimodal Models", "Large Multi-modal Model"), ("LLMs", "LLM"), ("ViT–B", "ViT-B"),
])
def test_normalize_canonical_key_folds_case_separators_and_plurals(a: str, b: str):
    assert canonical_key(a) == canonical_key(b)


@pytest.mark.parametrize(("a", "b"), [
    ("GPT-4o", "GPT-4o-mini"), ("FaceForensics", "FaceForensics++"), ("GPT-4", "GPT-4V"), ("I-JEPA", "V-JEPA"),
])
def test_normalize_canonical_key_keeps_versions_and_suffixes_apart(a: str, b: str):
    assert canonical_key(a) != canonical_key(b)
