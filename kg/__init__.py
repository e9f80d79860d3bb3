"""kg — build a knowledge graph of ML papers (methods, tasks, datasets, metrics, architectures) and query it."""

__version__ = "0.1.0"
