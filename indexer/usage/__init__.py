"""Usage events (searches, views): the buffered writer and the dashboard aggregations."""
