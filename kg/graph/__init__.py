"""The graph stage: a report's facts as RDF (``rdf``, ``triples``), the IRIs and code lists
they use (``vocab``), the vocabulary graph (``vocabulary``) and validation against the SHACL
shapes (``validate``, ``shacl_compiled``)."""
