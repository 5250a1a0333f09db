"""``storyfuse batch``: the pipeline as a plan of partitioned stages, run locally or on Spark.

:mod:`~storyfuse.batch.stages` holds the work of each stage as plain functions
of one record or one group (the local pipeline's own functions underneath);
:mod:`~storyfuse.batch.local_engine` and :mod:`~storyfuse.batch.spark_engine`
run the same plan, the first with a process pool, the second as Spark jobs;
:mod:`~storyfuse.batch.tables` writes and reads the result.
"""
