"""Usage requests and staff accounts stored in Elasticsearch: storage and the business services."""
