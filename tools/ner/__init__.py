"""Training the shipped NER model: ``python -m tools.ner.train`` (config ``ner.cfg``)."""
