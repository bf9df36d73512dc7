"""Checks, one module per assignment; each registers its checks by task on import."""
