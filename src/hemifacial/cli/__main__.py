"""``python -m hemifacial.cli``: the same as the ``hemifacial`` command."""

from hemifacial.cli import main

main()
