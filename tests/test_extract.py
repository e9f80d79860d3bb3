"""Extraction on tiny papers with the tiny vocabulary in tests/data/vocab."""

from __future__ import annotations

import json

import pytest

from kg.extract.linker import guess_type, named_as_data
from kg.mapping.jsonio import dumps, from_json, to_json
from kg.model import Paper


def _links(extractor, title, abstract):
    ex = extractor.extract_one(Paper(id="t", title=title, abstract=abstract))
    return {lk.entity.id: lk for lk in ex.links}, ex


def test_extract_every_mention_offset_points_at_its_text(tiny_extractor, data_dir):
    from kg.ingest import read_papers

    for ex in tiny_extractor.extract(read_papers([data_dir / "papers.jsonl"])):
        for lk in ex.links:
            assert lk.mentions, lk
            for m in lk.mentions:
                text = ex.paper.title if m.field == "title" else ex.paper.abstract
                assert text[m.start:m.end] == m.text
                assert m.text in m.sentence or m.sentence == ""
                assert 0 <= m.score <= 1 and m.component


def test_extract_acronym_definition_merges_into_one_entity(tiny_extractor):
    links, _ = _links(tiny_extractor, "A title", "We apply the Vision Transformer (ViT) to images. The ViT is strong.")
    vit = links["method/vision-transformer"]
    assert {m.text for m in vit.mentions} >= {"Vision Transformer", "ViT"}
    assert sum(1 for lk in links.values() if lk.entity.type == "method") == 1


def test_extract_unknown_acronym_definition_becomes_entity_with_alias(tiny_extractor):
    links, _ = _links(tiny_extractor, "A title",
                      "We study Extreme Classification (XC) at scale. Deep XC methods are slow.")
    xc = links["entity/extremeclassification"]
    assert xc.entity.aliases == ("XC",)
    assert [m.text for m in xc.mentions].count("XC") == 2
    assert xc.entity.merged_because and "acronym" in xc.entity.merged_because[0]


def test_extract_title_name_and_propose_cue_give_proposes(tiny_extractor):
    links, _ = _links(tiny_extractor, "NGAME: Negative Mining for Extreme Classification",
                      "In response, we introduce NGAME, a light-weight technique. NGAME is fast.")
    ngame = links["entity/ngame"]
    assert ngame.role == "proposes"
    assert len(ngame.mentions) == 3


@pytest.mark.parametrize(
    ("text", "name", "data"),
    [
        ("we introduce Impostor, a high-quality image manipulation localization dataset containing 100K", "Impostor", True),
        ("We introduce DevEval (developer tasks) and TraceEval (execution prediction) benchmarks; models", "TraceEval", True),
        ("It produces two synthetic datasets: CtrlAni3D for quadrupeds and CtrlAVES3D for birds.", "CtrlAVES3D", True),
        ("TaxCalcBench: Evaluating Frontier Models on Tax Calculation", "TaxCalcBench", True),
        ("results on the NExT-QA test split", "NExT-QA", True),
        ("we propose EFRame, an Exploration-Filtering-Replay framework that helps on reasoning benchmarks", "EFRame", False),
        ("We propose FooNet, a network trained on a new dataset.", "FooNet", False),
        ("We evaluate ArtMesh on the Articulate-100 benchmark.", "ArtMesh", False),
        ("Experiments on several benchmarks show that BoundMatch is better.", "BoundMatch", False),
    ],
)
def test_extract_named_as_data_reads_what_the_text_calls_a_name(text, name, data):
    start = text.index(name)
    assert named_as_data(text, start, start + len(name), name) is data


def test_extract_a_proposed_name_the_text_calls_a_dataset_is_a_dataset(tiny_extractor):
    links, _ = _links(tiny_extractor, "A title", "In this work, we introduce PixelForge, a new image manipulation "
                      "dataset with 100K images, and we propose FooNet, a novel network trained on it.")
    assert links["entity/pixelforge"].entity.type == "dataset"
    assert links["entity/pixelforge"].role == "proposes"
    assert links["entity/foonet"].entity.type == "method"


@pytest.mark.parametrize(
    ("abstract", "entity", "role"),
    [
        ("Our model outperforms ResNet by 2 points.", "method/resnet", "compares"),
        ("We compare with BERT on the task.", "method/bert", "compares"),
        ("We build on ResNet features.", "method/resnet", "uses"),
        ("Results on ImageNet-1K are reported.", "dataset/imagenet-1k", "evaluates_on"),
        ("Unlike CNNs, our model is global.", "architecture/cnn", "mentions"),
        ("A detector without a convolutional neural network backbone.", "architecture/cnn", "mentions"),
        ("We study object detection.", "task/object-detection", "uses"),
    ],
)
def test_extract_roles_from_context(tiny_extractor, abstract, entity, role):
    links, _ = _links(tiny_extractor, "Plain title", abstract)
    assert links[entity].role == role


def test_extract_architecture_inferred_from_methods_via_vocabulary(tiny_extractor):
    links, _ = _links(tiny_extractor, "Plain title", "We fine-tune GPT-2 on dialogue.")
    assert links["architecture/decoder-only"].role == "uses"
    assert links["architecture/transformer"].mentions[0].component == "inferred:method/gpt-2"
    links, _ = _links(tiny_extractor, "Plain title", "Unlike GPT-2, we use no pre-training.")
    assert "architecture/decoder-only" not in links  # a contrasted method implies nothing


def test_extract_stoplist_keeps_vague_phrases_out(tiny_extractor):
    links, _ = _links(tiny_extractor, "Plain title",
                      "Large language models (LLMs) are everywhere. We propose a novel framework.")
    assert not any("language-model" in eid for eid in links)


def test_extract_is_deterministic(tiny_extractor, data_dir):
    from kg.ingest import read_papers

    first = [dumps(ex) for ex in tiny_extractor.extract(read_papers([data_dir / "papers.jsonl"]))]
    second = [dumps(ex) for ex in tiny_extractor.extract(read_papers([data_dir / "papers.jsonl"]))]
    assert first == second


def test_extract_json_contract_round_trips(tiny_extractor):
    _, ex = _links(tiny_extractor, "DistilViT: Distilling", "We propose DistilViT and evaluate on COCO.")
    obj = json.loads(dumps(ex))
    assert list(obj) == ["id", "title", "entities"]
    ent = obj["entities"][0]
    assert set(ent) == {"type", "label", "iri", "role", "confidence", "aliases", "architectures", "mentions"}
    assert ent["type"] in {"method", "task", "dataset", "metric", "architecture"}
    assert ent["role"] in {"proposes", "uses", "evaluates_on", "compares", "mentions"}
    assert set(ent["mentions"][0]) == {"field", "start", "end", "text", "sentence", "component", "score"}
    assert to_json(from_json(obj)) == obj


@pytest.mark.parametrize(("phrase", "etype"), [("Extreme Classification", "task"), ("Penn Treebank corpus", "dataset"),
                                               ("word error rate", "metric"), ("Sparse Mixer network", "method"),
                                               ("Jupiter", None)])
def test_extract_guess_type_by_head_noun(phrase, etype):
    assert guess_type(phrase) == etype


def test_extract_proposed_title_name_is_not_cut_by_a_known_word(tiny_extractor):
    links, _ = _links(tiny_extractor, "Point-BERT: Pre-training Point Cloud Transformers",
                      "We present Point-BERT, a new paradigm.")
    assert links["entity/pointbert"].role == "proposes"
    assert "method/bert" not in links
    # the architecture word inside a proposed name still counts
    links, _ = _links(tiny_extractor, "DenseFormer Vision Transformer: A Study", "Our model is fast.")
    assert links["entity/denseformervisiontransformer"].role == "proposes"
    assert "architecture/vision-transformer" in links


@pytest.mark.parametrize("title", ["Bridging Language Gaps: A Study of Translation", "Deep Learning: A Survey"])
def test_extract_title_case_prefix_is_not_a_proposed_name(tiny_extractor, title):
    """Only a prefix shaped like a name (a coined token, a defined acronym) is the paper's proposed method."""
    links, _ = _links(tiny_extractor, title, "We study the problem.")
    assert not [lk for lk in links.values() if lk.role == "proposes"]


@pytest.mark.parametrize("abstract", [
    "We compare against NAS-BERT and BERT-large-v2 variants.",   # BERT inside longer names: not BERT
    "We fine-tune GPT-2-XL-distill on the task.",
])
def test_extract_vocabulary_name_inside_a_longer_name_is_not_matched(tiny_extractor, abstract):
    links, _ = _links(tiny_extractor, "A study", abstract)
    assert "method/bert" not in links and "method/gpt-2" not in links


def test_extract_vocabulary_name_with_a_qualifier_is_matched(tiny_extractor):
    links, _ = _links(tiny_extractor, "A study", "We build BERT-based and GPT-2-style encoders.")
    assert "method/bert" in links and "method/gpt-2" in links

def test_extract_every_merge_is_explained(tiny_extractor):
    links, _ = _links(tiny_extractor, "A title", "We train on IN-1K. Vision Transformers work; the ViT is strong.")
    reasons = links["dataset/imagenet-1k"].entity.merged_because
    assert "'IN-1K' is an alias of 'ImageNet-1K' in the curated vocabulary" in reasons
    vit = links["method/vision-transformer"].entity.merged_because
    assert "'ViT' is an alias of 'Vision Transformer' in the curated vocabulary" in vit


@pytest.mark.parametrize(("text", "token"), [("on IN-1K.", "IN-1K"), ("a 7B model", "7B"), ("(ImageNet-1K)", "ImageNet-1K"),
                                             ("GPT-4.", "GPT-4")])
def test_extract_tokenizer_keeps_model_names_whole(tiny_extractor, text, token):
    assert token in [t.text for t in tiny_extractor.nlp.make_doc(text)]


def test_extract_ner_only_spans_need_a_name_when_strict(tiny_extractor):
    from kg.extract.candidates import Candidate

    linker = tiny_extractor.linker
    text = "We use a dual filtering strategy and PerCo-XL on the Foo Bar Corpus."

    def cand(span: str, etype: str) -> Candidate:
        s = text.index(span)
        return Candidate("abstract", s, s + len(span), span, etype, "ner", 0.6, 0, len(text))

    assert linker._ner_verdict(cand("PerCo-XL", "method"), text) == ""
    assert linker._ner_verdict(cand("Foo Bar Corpus", "dataset"), text) == ""
    assert linker._ner_verdict(cand("dual filtering strategy", "method"), text) is None
    assert linker._ner_verdict(cand("PerCo-XL", "task"), text) is None
    linker.strict_ner = False
    try:
        assert linker._ner_verdict(cand("dual filtering strategy", "method"), text) == ""
    finally:
        linker.strict_ner = True


def test_extract_new_name_after_proposal_cue_is_proposed(tiny_extractor):
    links, _ = _links(tiny_extractor, "Plain title",
                      "Prior work used ResNet. In this work we introduce a cross-scale Quantizer (CSQ) for codecs.")
    assert links["entity/crossscalequantizer"].role == "proposes"
    assert links["method/resnet"].role == "uses"


def test_extract_shipped_tagger_finds_names_beside_the_vocabulary():
    """The shipped pipeline runs the tagger on every field; it finds a name no vocabulary knows, with a score that
    is a probability."""
    from kg.config import load_settings
    from kg.extract import Extractor
    from kg.extract.tagger import tagger_model_available

    if not tagger_model_available():
        pytest.skip("no shipped tagger model")
    ex = Extractor(load_settings({"min_confidence": 0.0}, env={}))
    assert "kg_tagger" in ex.nlp.pipe_names
    paper = ex.extract_one(Paper(id="t", title="FooNet-7: Faster Segmentation",
                                 abstract="In experiments, FooNet-7 improves semantic segmentation and mIoU."))
    tagged = [m for lk in paper.links for m in lk.mentions if m.component == "tagger"]
    assert any("FooNet-7" in m.text for m in tagged)
    assert all(0.0 <= m.score <= 1.0 for m in tagged) and all(0.0 <= lk.confidence <= 1.0 for lk in paper.links)

def test_occurrences_are_word_bounded_greedy_and_non_overlapping():
    from kg.extract.linker import _occurrences

    text = "ViTs beat ViT; ViTa is not ViT-B; aViT neither. ViTViT"
    assert list(_occurrences(text, "ViT")) == [(0, 4), (10, 13), (27, 30)]
    assert list(_occurrences("aaaa", "aa")) == []  # inner matches are not word-bounded
    assert list(_occurrences("x", "")) == []


def test_doc_text_is_cached_and_equal_to_spacy_text():
    import spacy

    from kg.extract.components import doc_text

    doc = spacy.blank("en").make_doc("Two  spaces, and a tab\there.")
    assert doc_text(doc) == doc.text
    assert doc.user_data["kg_text"] == doc.text


def test_token_columns_match_the_tokens():
    import spacy

    from kg.extract.components import _sentence_bounds, token_columns

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    doc = nlp("We propose GPT-4o. It beats ViT-B/16 on ImageNet!  Done")
    idx, length, is_start = token_columns(doc)
    assert idx == [t.idx for t in doc]
    assert length == [len(t.text) for t in doc]
    assert is_start == [bool(t.is_sent_start) for t in doc]
    i = next(t.i for t in doc if t.text == "ImageNet")
    assert _sentence_bounds(doc, i) == (doc[i].sent.start_char, doc[i].sent.end_char)
    # no sentencizer: only the first token is marked, the whole doc is one sentence
    bare = spacy.blank("en")("two words")
    assert token_columns(bare)[2] == [True, False]
    assert _sentence_bounds(bare, 1) == (0, len("two words"))


def test_extract_hyphenated_name_used_as_a_modifier_is_not_the_name(tiny_extractor):
    """'knowledge-distillation losses' modifies 'losses'; 'knowledge distillation' itself is still found."""
    links, _ = _links(tiny_extractor, "A study", "We add knowledge-distillation losses to the model.")
    assert "method/knowledge-distillation" not in links
    links, _ = _links(tiny_extractor, "A study", "We use knowledge distillation and knowledge-distillation.")
    assert "method/knowledge-distillation" in links


def test_extract_a_vocabulary_name_read_under_another_type_is_the_vocabulary_entity(tiny_extractor):
    """A tagger or pattern reading a known dataset as a method must not split it into a second IRI."""
    linker = tiny_extractor.linker
    coco = linker._new_entity("method", "COCO")
    assert coco is not None and coco.id == "dataset/coco" and coco.type == "dataset"
    assert linker._new_entity("method", "FooNet").id == "entity/foonet"


def test_extract_an_address_is_never_an_entity(tiny_extractor):
    linker = tiny_extractor.linker
    assert linker._new_entity("method", "https://github.com/chenxi52/SfMamba") is None
    assert linker._new_entity("dataset", "huggingface.co/datasets/FooSet") is None
    assert linker._new_entity("method", "SfMamba") is not None
