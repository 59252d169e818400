"""Benchmarks of c1console at production scale (not part of the test suite). See bench/README.md."""
