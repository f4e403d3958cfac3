"""build-site: animated choropleth maps as static pages and frame-exact video.

How the code is laid out: the stages in the order a build runs them (build.make_map wires them; the
command, cli.py, and the Python face, api.py, both call it; multisite.py builds a site of many maps).

1. source      source.py, scan.py        the rows: a SQL selectable for servers, Arrow batches otherwise
2. shapes      geo/ (geometry, builtin,  read, select (--only, --bbox), cut at the seam, project
               seams, projections,       (albers_usa: the US composite) -> Shapes; topology.py turns
               albers_usa, topology)     them into TopoJSON on a thread while stage 3 runs
3. aggregate   aggregate.py, intervals,  rows -> one float32 matrix [frames × regions] per metric:
               zones, window, grid.py,   the database's GROUP BY (pushdown) or a scatter here (grid);
               pushdown.py, transfer;    local days (zones), --from/--to (window); a large build keeps
               windowed, partition,      it on disk a window of buckets at a time (spill); a server's
               ordered, spill, ranged    rows come back as columns (transfer: PostgreSQL's over ADBC);
                                         a PostgreSQL table of one row a cell by time range (ranged)
4. match       regions.py, geo/overlay   data codes -> shapes; border and inset lines added to the TopoJSON
5. encode      encoding.py -> classify,  classes over all frames -> uint8 chunks (framedata), the
               framedata, series;        tooltip's values, each region's series for the charts;
               streamed.py               streamed: from the windows on disk, a block of frames at a time
6. site        site.py, builds.py,       the page and its data files, written atomically under the build's
               templates/,               id (builds: earlier builds' data kept a while for open pages); the
               static/player/,           player (classic scripts, joined into player.js) plays it;
               publish.py                publish.py: the words around the map, the link preview's tags
7. video       video/ (capture, frames,  optional: the page driven frame by frame -> MP4/WebM/GIF;
               ffmpeg, browser, preview) preview.py draws the link preview's image at build time

Beside them: options.py (one map's options) and validate.py (their one check, for every face),
config.py (the site file), codes.py (country codes and names, for stages 2 and 4), frametimes.py
(when each frame starts, as the page shows it), errors.py and
logs.py (what the user is told, in the words of the face in use), demo.py (the demo database),
serve.py (`build-site serve`); fingerprint.py (what a build read: --config keeps unchanged maps),
append.py (--append: the cached grid, the rows from the last frame on) with extend.py (stage 5 for a
grid whose earlier chunks are kept).
"""
__version__ = "0.1.0"
