"""Rendering for the MkDocs site: references, the registry page, the rule catalogue, page metadata, preview highlights.

Everything here turns engine values into HTML. Nothing here checks anything:
the checks live in the engine, and the plugin only shows what it reports.
"""
