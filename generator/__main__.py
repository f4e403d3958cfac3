"""`python -m generator`: the `build-site` command."""
from .cli import run

run()
