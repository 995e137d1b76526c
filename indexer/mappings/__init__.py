"""Index bodies (settings + mappings). Only core Elasticsearch analysis; see docs/elasticsearch.md."""
