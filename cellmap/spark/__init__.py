"""The Spark engine's plumbing: a session on a cluster (:mod:`cellmap.spark.session`) and a local
standalone cluster for tests and benchmarks (:mod:`cellmap.spark.cluster`).

The analyses themselves live with their capability: :mod:`cellmap.graph.spark_engine`,
:mod:`cellmap.disrupt.spark_engine`, :mod:`cellmap.resolve.spark_engine`. pyspark is the optional
extra ``cellmap[spark]``; nothing here imports it before a Spark command runs.
"""
