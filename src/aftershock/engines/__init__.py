"""Execution engines for coding a corpus beyond one process.

* ``aftershock.engines.ray`` - Ray Data: a pool of actors, each loading the spaCy pipeline
  once, writing partitioned Parquet that DuckDB and the store read (``aftershock run
  --engine ray``; needs the ``ray`` extra: ``pip install "aftershock[ray]"``).

On one machine without Ray, ``aftershock run -j N`` parses with spaCy's ``n_process``.
"""
