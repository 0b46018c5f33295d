"""cellmap: an open analyst workbench for clandestine networks."""

from cellmap.lazy import igraph_without_pyplot

igraph_without_pyplot()  # before any module imports igraph
