"""Network analytics: projections, measures, cells, key players, paths, and grade sensitivity.

The Python API takes Polars frames (store views) or igraph graphs and returns Polars frames; each
job has its module (imported by full name, so that ``cellmap.graph.measures`` stays a module)::

    from cellmap.graph.projection import person_graph      # store views → igraph
    from cellmap.graph.measures import measures             # one row per node, every measure
    from cellmap.graph.communities import leiden, compare_with_recorded
    from cellmap.graph.keyplayers import kpp_neg, kpp_pos   # Borgatti (2006)
    from cellmap.graph.paths import connect                 # paths + the reports behind each step
    from cellmap.graph.sensitivity import sensitivity, top_measure
    from cellmap.graph.fragmentation import fragmentation, distance_fragmentation
"""
