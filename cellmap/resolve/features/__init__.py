"""Pair features of the matchers, one module per kind of evidence.

- :mod:`.name_parts` — part similarities, the part alignment and the name features of the
  ``parts-v1`` feature set (the scenario matcher);
- :mod:`.real_names` — token-frequency evidence (feature set ``names-v1``);
- :mod:`.list_names` — soft TF-IDF, trigram cosine, surname and given names as lists write them
  (feature set ``names-v2``);
- :mod:`.slots`      — which part fills a record's surname, father, given-name and kunya slots;
- :mod:`.dates`      — dates and membership periods as records write them;
- :mod:`.profile`    — whom a record dealt with (naive-Bayes contact-role profiles);
- :mod:`.attributes` — Fellegi–Sunter log-likelihood ratios of record attributes.

Features are pure functions of their inputs; the caches live in the scorer
(:class:`cellmap.resolve.scorer.Scorer`), which hands its cached part similarity to them.
"""
