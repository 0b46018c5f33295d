"""cellmap's benchmarks: one module per task, each printing cellmap against a reference in the same run."""
