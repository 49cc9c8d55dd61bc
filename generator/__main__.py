"""`python -m generator`: the `portfolio` command."""
import time

STARTED = time.perf_counter()   # PORTFOLIO_STAGE_TIMES counts the imports from here ("start")

from .cli import leave, main  # noqa: E402

leave(main(started=STARTED))
