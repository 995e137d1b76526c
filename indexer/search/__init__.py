"""The read side: turning a typed SearchQuery into Elasticsearch DSL and results."""
