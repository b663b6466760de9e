"""Load benchmarks: a data generator, a load runner with a baseline, and query plans.

    python -m benchmarks.seed --patients 1000 --days 365
    python -m benchmarks.run --patients 100,10000 --days 365
    python -m benchmarks.explain --url postgresql+psycopg://...

See ``benchmarks/README.md``.
"""
