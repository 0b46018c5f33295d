"""What the reports do not show: unseen members, missing ties, and how sure each answer is.

* :mod:`cellmap.unseen.capture` — multiple-systems estimation (log-linear capture–recapture);
* :mod:`cellmap.unseen.histories` — who each report source saw, from the store's frames;
* :mod:`cellmap.unseen.links` — ties likely to exist but unreported (link prediction);
* :mod:`cellmap.unseen.robust` — answers re-run over samples of what may be missing.
"""
