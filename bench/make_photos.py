"""Writes the benchmark's photos: a small JPEG (about the size of a grid
thumbnail) and a phone-sized original, both of noise so they do not compress.
The page metrics use end2end/phone_photos.py's photos, weighted like a phone's."""

import random
import sys

from PIL import Image

out = sys.argv[1]
rng = random.Random(7)
# The original is larger than what the server keeps in memory (2 MiB): it streams.
for name, side, quality in [("small.jpg", 160, 85), ("original.jpg", 1800, 92)]:
    pixels = rng.randbytes(side * side * 3)
    Image.frombytes("RGB", (side, side), pixels).save(f"{out}/{name}", quality=quality)

