"""build-site from Python: animated choropleth maps from a table of metrics per region per time.

    >>> import build_site
    >>> m = build_site.choropleth(df, region="country", time="unixtime", metric=["cases"],
    ...                           interval="1d", agg="sum", cmap="YlOrRd", title="Cases")
    >>> m                      # in Jupyter, VS Code or Colab: the map plays inline
    >>> m.save("site/")        # a folder, as the command writes
    >>> m.save("cases.html")   # one self-contained file: no other file, no network
    >>> m.record("cases.mp4")  # the video, as `build-site record`

The code lives in the `generator` package, which the `build-site` command runs; this module is its
public face and re-exports it, so that both share one copy of every class (an error raised by the
pipeline is the `build_site.UserError` a caller catches).
"""
from generator import __version__
from generator.api import Map, UserError, as_arrow, choropleth

__all__ = ["Map", "UserError", "__version__", "as_arrow", "choropleth"]
