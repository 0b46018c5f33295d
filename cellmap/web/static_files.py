"""Where the built front end lives: `cellmap/web/static/` (bundled from npm packages, nothing fetched
from a CDN at run time). The app serves it; the map route reads the borders from it."""

from importlib import resources

STATIC = resources.files("cellmap.web").joinpath("static")
