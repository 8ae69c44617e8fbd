"""Benchmarks of dfdx against its peers; run ``python -m benchmarks <suite>``."""
