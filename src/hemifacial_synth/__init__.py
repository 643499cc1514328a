"""Ground-truth clips for the video analyser: not part of the product.

Two independent families of one-sided spasms injected into real faces, each with exact
ground truth (see ``docs/video.md``, "How ground truth is made"):

* ``pasted`` (:mod:`.pasted`): lids drawn down and a real shut eye pasted in (the source's
  own blink, or a drawn shut eye on the astronaut).
* ``warp`` (:mod:`.warp`): one smooth displacement field of the periocular and lower-face
  skin per frame, driven by the landmarks of the untouched frame; no pixels pasted.

Installed with the ``demo`` extra (it needs scikit-image for the astronaut).
"""

FAMILIES = ("pasted", "warp")
