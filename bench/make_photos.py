"""Writes the benchmark's photos: a small JPEG (about the size of a grid
thumbnail) and a phone-sized original, both of noise so they do not compress."""

import random
import sys

from PIL import Image

out = sys.argv[1]
rng = random.Random(7)
for name, side, quality in [("small.jpg", 160, 85), ("original.jpg", 1400, 92)]:
    pixels = rng.randbytes(side * side * 3)
    Image.frombytes("RGB", (side, side), pixels).save(f"{out}/{name}", quality=quality)
