"""The program spark-submit runs: ``storyfuse batch --engine spark`` with its arguments.

    SUBMIT=$(python -c 'import storyfuse.cli.spark_submit as s; print(s.__file__)')
    spark-submit --master yarn "$SUBMIT" hdfs:///news/2026-11/ --out hdfs:///storyfuse/2026-11

spark-submit chooses the master and the resources; the executors need storyfuse
installed in the Python they run (``spark.pyspark.python``).
"""

from __future__ import annotations

import sys

from storyfuse.cli.main import main

if __name__ == "__main__":
    main(["batch", "--engine", "spark", *sys.argv[1:]])
