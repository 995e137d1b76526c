"""The OAI-PMH 2.0 data provider at ``/oai``: the aggregated catalog as a source for others.

``protocol`` checks verbs and arguments and names OAI errors, ``tokens`` signs stateless resumption
tokens, ``metadata`` writes the metadata formats (oai_dc, simple Darwin Core, MIABIS-shaped
collections), ``views`` answers the six verbs over :class:`indexer.search.catalog.CatalogFeed`.
"""
