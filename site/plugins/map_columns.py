"""datasette-cluster-map's search for coordinate columns, remembered per set of column names.

On every table and query page the map plugin asks twice (for its script and for its page
script) whether the columns include a latitude and a longitude, lower-casing and matching
each column name against its patterns each time: about 0.05 ms of a 1.7 ms query page, and
what a column list holds decides the answer alone. The plugin's own function answers once
per list; the answers are kept in a bounded LRU.
"""
import functools

import datasette_cluster_map

# The plugin's own function, also when this file is loaded again (each plugins folder loads it).
plugin_finds = getattr(datasette_cluster_map.location_columns_from_columns, "asks",
                       datasette_cluster_map.location_columns_from_columns)


@functools.lru_cache(maxsize=1024)
def found_in(columns):
    return tuple(plugin_finds(list(columns)))


def location_columns_from_columns(columns):
    return list(found_in(tuple(columns)))


location_columns_from_columns.asks = plugin_finds
datasette_cluster_map.location_columns_from_columns = location_columns_from_columns  # the name find_columns calls
