"""``python -m medcite``: the same as the ``medcite`` command."""

from medcite.cli import main

main()
