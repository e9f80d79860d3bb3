"""Remote SPARQL 1.1 stores holding the graph (Virtuoso as the reference)."""
