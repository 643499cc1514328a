"""Example case files shipped with the package (``hemifacial assess --demo``)."""
