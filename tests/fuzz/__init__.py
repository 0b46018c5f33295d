"""Fuzzing the importers: Hypothesis strategies for every input format (`strategies`), a mutation
fuzzer over real files (`mutate`), and the oracle both answer to (`oracle`): whatever a file holds,
`import_files` either stores it whole or raises `InputError` naming the file and leaves every row of
the store as it was. `python -m tests.fuzz --inputs N` (what `make fuzz` runs) reports inputs,
crashes and partial writes."""
