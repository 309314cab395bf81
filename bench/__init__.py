"""Benchmarks against a dedicated PostgreSQL database (``kip_bench``); see bench/RESULTS.md."""
