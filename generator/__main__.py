"""`python -m generator`: the `build-site` command."""
from .cli import main

raise SystemExit(main())
