"""``python -m medcite``: the same as the ``medcite`` command."""

from medcite.cli.main import main

main()
