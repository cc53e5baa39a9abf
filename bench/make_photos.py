"""Writes the benchmark's photos: a small JPEG (about the size of a grid
thumbnail) and a phone-sized original, both of noise so they do not compress."""

import random
import sys

from PIL import Image

out = sys.argv[1]
rng = random.Random(7)
# The original is larger than what the server keeps in memory (2 MiB): it streams.
for name, side, quality in [("small.jpg", 160, 85), ("original.jpg", 1800, 92)]:
    pixels = rng.randbytes(side * side * 3)
    Image.frombytes("RGB", (side, side), pixels).save(f"{out}/{name}", quality=quality)

# A gallery's worth of phone-shaped photos (4:3 and 3:4, 12 MP), for page metrics.
if len(sys.argv) > 2:
    gallery = sys.argv[2]
    for i in range(int(sys.argv[3]) if len(sys.argv) > 3 else 24):
        w, h = (4032, 3024) if i % 3 else (3024, 4032)
        base = Image.linear_gradient("L").resize((w, h))
        noise = Image.effect_noise((w, h), 40)
        photo = Image.merge("RGB", (base, noise, base.rotate(90).resize((w, h))))
        photo.save(f"{gallery}/IMG_{2000 + i}.jpg", quality=88)
