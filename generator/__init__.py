"""build-site: animated choropleth maps as static pages and frame-exact video."""
__version__ = "0.1.0"
