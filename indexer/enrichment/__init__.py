"""Enrichment: facets, topics, quality and duplicate keys for articles and paragraphs."""
