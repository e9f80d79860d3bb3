"""Offline tools the runtime never imports: vocabulary building (``vocab_build``) and NER training (``ner``)."""
