"""A Spark session for cellmap's ``--engine spark``: master URL and settings from the command line
(``--spark-master``, ``--spark-conf k=v``) or the usual environment (``SPARK_MASTER``,
``$SPARK_CONF_DIR/spark-defaults.conf``, ``PYSPARK_SUBMIT_ARGS``).

Under ``spark-submit`` a session already exists; :func:`spark_session` then returns it and the
command line's master is ignored (spark-submit's ``--master`` wins).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

from cellmap.errors import InputError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

DEFAULT_MASTER = "local[*]"
# Small graphs dominate interactive use: a few shuffle partitions, which adaptive execution
# coalesces further; a cluster job sets its own (--spark-conf spark.sql.shuffle.partitions=N).
DEFAULTS = {
    "spark.sql.shuffle.partitions": "8",
    "spark.sql.adaptive.enabled": "true",
    "spark.ui.showConsoleProgress": "false",
    "spark.log.level": "ERROR",  # the analyst's terminal gets cellmap's output, not the JVM's
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}


def parse_conf(items: Iterable[str] | None) -> dict[str, str]:
    """``k=v`` settings (``--spark-conf``, repeatable) as a dict; a malformed one is a user error."""
    conf: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"{item!r} is not KEY=VALUE", field="--spark-conf")
        conf[key.strip()] = value.strip()
    return conf


def require_pyspark() -> None:
    """A clear message instead of an ImportError or a Java stack trace when the engine is missing."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise InputError(
            "the Spark engine needs pyspark: pip install 'cellmap[spark]'", field="--engine"
        ) from None
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise InputError(
            "the Spark engine needs a Java 17 runtime (Debian: apt-get install "
            "openjdk-17-jre-headless) or JAVA_HOME",
            field="--engine",
        )


def spark_session(
    master: str | None = None, conf: dict[str, str] | None = None, app_name: str = "cellmap"
) -> SparkSession:
    """The active session, or a new one on ``master`` (default ``$SPARK_MASTER`` or ``local[*]``)
    with :data:`DEFAULTS` overridden by ``conf``."""
    require_pyspark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        for key, value in (conf or {}).items():
            if not key.startswith("spark.sql."):
                continue  # only SQL settings change at run time; the rest are fixed at start
            active.conf.set(key, value)
        return active
    builder = SparkSession.builder.appName(app_name).master(
        master or os.environ.get("SPARK_MASTER") or DEFAULT_MASTER
    )
    # The executors' Python: pyspark reads it from PYSPARK_PYTHON when the context starts and
    # otherwise runs `python3` from PATH, which lacks cellmap and pandas unless a virtualenv is
    # activated. An operator whose workers keep Python elsewhere sets PYSPARK_PYTHON.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    for key, value in {**DEFAULTS, **(conf or {})}.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session
