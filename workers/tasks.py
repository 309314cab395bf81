"""Celery tasks: thin wrappers that load ids and call one service each."""
