"""Stage 2, shapes: the geometry family. Shapes read, selected, cut and projected (stage 2), turned
into TopoJSON (beside stage 3), lines drawn over them (stage 4)."""
