"""A local Spark standalone cluster — one master and N workers started with pyspark's own
``spark-class`` — for the tests and the benchmark, and for trying a cluster command on one machine.

The processes run in their own process groups and are stopped (TERM, then KILL) when the context
exits, so that no JVM outlives a test. :meth:`StandaloneCluster.sample_memory` follows the resident
memory of each worker's process tree (the worker daemon, its executor JVM and the executor's Python
workers), read from ``/proc`` — the peak memory per worker that the benchmark reports.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from cellmap.spark.session import require_pyspark

START_TIMEOUT = 90.0  # seconds for the master and every worker to come up (two slow cores)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spark_home() -> Path:
    """The Spark distribution inside the installed pyspark package (its bin/, jars/)."""
    require_pyspark()
    import pyspark

    return Path(pyspark.__file__).resolve().parent


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parent = int(stat[stat.rfind(")") + 2 :].split()[1])
        tree.setdefault(parent, []).append(int(entry))
    return tree


def tree_rss(pid: int, tree: dict[int, list[int]]) -> int:
    """Resident bytes of a process and all its descendants (0 for a process that has ended)."""
    total, stack = 0, [pid]
    page = os.sysconf("SC_PAGE_SIZE")
    while stack:
        current = stack.pop()
        try:
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * page
        except OSError:
            pass
        stack.extend(tree.get(current, []))
    return total


@dataclass
class StandaloneCluster:
    """``workers`` workers of ``cores`` cores and ``memory`` (e.g. ``"1g"``) each, on 127.0.0.1."""

    workers: int = 2
    cores: int = 1
    memory: str = "1g"
    daemon_memory: str = "256m"
    work_dir: Path | None = None
    master_url: str = ""
    ui_url: str = ""
    peak_rss: list[int] = field(default_factory=list)
    _processes: list[subprocess.Popen] = field(default_factory=list)
    _own_dir: str | None = None
    _sampling: threading.Event | None = None

    def __enter__(self) -> StandaloneCluster:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _launch(self, args: list[str], log: Path) -> subprocess.Popen:
        env = {
            **os.environ,
            "SPARK_HOME": str(spark_home()),
            "SPARK_DAEMON_MEMORY": self.daemon_memory,
            "PYSPARK_PYTHON": os.environ.get("PYSPARK_PYTHON", sys.executable),
            "SPARK_LOCAL_IP": "127.0.0.1",
        }
        with log.open("wb") as sink:
            process = subprocess.Popen(
                [str(spark_home() / "bin" / "spark-class"), *args],
                stdout=sink,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,  # its own process group: stop() ends the JVM it execs
            )
        self._processes.append(process)
        return process

    def start(self) -> None:
        if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
            require_pyspark()  # raises the Java message
        if self.work_dir is None:
            self._own_dir = tempfile.mkdtemp(prefix="cellmap-spark-")
            self.work_dir = Path(self._own_dir)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        port, ui = _free_port(), _free_port()
        self.master_url, self.ui_url = f"spark://127.0.0.1:{port}", f"http://127.0.0.1:{ui}"
        try:
            self._launch(
                [
                    "org.apache.spark.deploy.master.Master",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--webui-port",
                    str(ui),
                ],
                self.work_dir / "master.log",
            )
            self._wait(lambda state: True, "the master")
            for i in range(self.workers):
                worker_dir = self.work_dir / f"worker-{i}"
                worker_dir.mkdir(exist_ok=True)
                self._launch(
                    [
                        "org.apache.spark.deploy.worker.Worker",
                        "--host",
                        "127.0.0.1",
                        "--cores",
                        str(self.cores),
                        "--memory",
                        self.memory,
                        "--webui-port",
                        str(_free_port()),
                        "--work-dir",
                        str(worker_dir),
                        self.master_url,
                    ],
                    self.work_dir / f"worker-{i}.log",
                )
            self._wait(
                lambda state: (
                    sum(w.get("state") == "ALIVE" for w in state.get("workers", [])) >= self.workers
                ),
                f"{self.workers} workers",
            )
        except BaseException:
            self.stop()
            raise

    def _wait(self, ready, what: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            for process in self._processes:
                if process.poll() is not None:
                    raise RuntimeError(
                        f"Spark standalone cluster: a process exited while waiting for {what} "
                        f"(logs in {self.work_dir})"
                    )
            try:
                with urllib.request.urlopen(self.ui_url + "/json/", timeout=2) as answer:
                    if ready(json.load(answer)):
                        return
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"Spark standalone cluster: {what} not up after {START_TIMEOUT:.0f} s")

    def session_conf(self, executor_memory: str | None = None) -> dict[str, str]:
        """Settings for a session on this cluster: one executor per worker, using all of it."""
        return {
            "spark.executor.cores": str(self.cores),
            "spark.executor.memory": executor_memory or self.memory,
            "spark.cores.max": str(self.cores * self.workers),
            "spark.local.dir": str(self.work_dir),
        }

    @property
    def worker_pids(self) -> list[int]:
        return [p.pid for p in self._processes[1:]]

    def sample_memory(self, every: float = 0.5) -> None:
        """Start following the peak resident memory of each worker's process tree (see
        :attr:`peak_rss`, bytes per worker); :meth:`stop_sampling` ends it."""
        self.peak_rss = [0] * len(self.worker_pids)
        self._sampling = threading.Event()

        def run(stop: threading.Event) -> None:
            while not stop.wait(every):
                tree = _children()
                for i, pid in enumerate(self.worker_pids):
                    self.peak_rss[i] = max(self.peak_rss[i], tree_rss(pid, tree))

        threading.Thread(target=run, args=(self._sampling,), daemon=True).start()

    def stop_sampling(self) -> list[int]:
        if self._sampling is not None:
            self._sampling.set()
            self._sampling = None
        return list(self.peak_rss)

    def stop(self) -> None:
        self.stop_sampling()
        for process in reversed(self._processes):  # workers first, then the master
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in reversed(self._processes):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self._processes.clear()
        if self._own_dir is not None:
            shutil.rmtree(self._own_dir, ignore_errors=True)
            self._own_dir = None
