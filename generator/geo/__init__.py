"""Stage 4, the geometry family: shapes read, selected, cut, projected and turned into TopoJSON."""
