"""Benchmarks (`make bench`): a synthetic province driven through the real services."""
