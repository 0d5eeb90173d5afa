"""Development tools used by the tests and benchmarks, not part of the installed library.

- :mod:`devtools.pgserver`: a local PostgreSQL 18 + pgvector server on 127.0.0.1.
"""
