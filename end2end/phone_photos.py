"""Writes photos shaped and weighted like a phone's: 12 MP JPEGs (4032x3024, some
upright, some 16:9) of 2 to 4 MB whose detail falls off with frequency as in
real photos (noise summed over octaves, each finer octave a little weaker), with
a few hard-edged shapes. Thumbnails of white noise would be tiny and those of
flat colours tinier: these weigh what a photo's thumbnails weigh.

    phone_photos.py OUT_DIR COUNT [--megapixels 12] [--bases 12]

COUNT files IMG_3000.jpg... are written; only BASES of them are drawn, the others
are the same pixels with a comment of their own (so every file is one of a kind,
as a gallery that stores the same bytes once needs) and cost nothing to make."""

import argparse
import os
import random

from PIL import Image, ImageChops, ImageDraw, ImageFilter

# How much weaker each finer octave of detail is than the one before.
FALLOFF = 0.84


def octave_noise(w: int, h: int, rng: random.Random, sigma: float) -> Image.Image:
    """One grey channel of noise summed over octaves, centred on 128."""
    out = Image.new("L", (w, h), 128)
    cells, amplitude = 3, sigma
    while cells <= max(w, h):
        sw = max(2, cells * w // max(w, h))
        sh = max(2, cells * h // max(w, h))
        layer = Image.effect_noise((sw, sh), amplitude)
        # Noise of its own for this octave, then stretched smoothly over the photo.
        layer = ImageChops.offset(layer, rng.randrange(sw), rng.randrange(sh))
        layer = layer.resize((w, h), Image.BICUBIC)
        out = ImageChops.add(out, layer, scale=1.0, offset=-128)
        cells *= 2
        amplitude *= FALLOFF
    return out


def draw(w: int, h: int, seed: int) -> Image.Image:
    rng = random.Random(seed)
    random.seed(seed)  # effect_noise draws from the C library's generator; keep it varied
    light = octave_noise(w, h, rng, 26.0)
    tint = [octave_noise(w, h, rng, 9.0) for _ in range(2)]
    base = [rng.randrange(70, 190) for _ in range(3)]
    channels = [
        ImageChops.add(light, ImageChops.add(tint[0], Image.new("L", (w, h), base[0]), 1.0, -128), 1.0, -128),
        ImageChops.add(light, Image.new("L", (w, h), base[1]), 1.0, -128),
        ImageChops.add(light, ImageChops.add(tint[1], Image.new("L", (w, h), base[2]), 1.0, -128), 1.0, -128),
    ]
    photo = Image.merge("RGB", channels)
    # Things with edges: a photo is not all texture.
    shapes = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    pen = ImageDraw.Draw(shapes)
    for _ in range(rng.randrange(4, 9)):
        x, y = rng.randrange(w), rng.randrange(h)
        rx, ry = rng.randrange(w // 20, w // 4), rng.randrange(h // 20, h // 4)
        colour = tuple(rng.randrange(256) for _ in range(3)) + (rng.randrange(120, 230),)
        box = [x - rx, y - ry, x + rx, y + ry]
        (pen.ellipse if rng.random() < 0.5 else pen.rectangle)(box, fill=colour)
    shapes = shapes.filter(ImageFilter.GaussianBlur(2))
    photo.paste(shapes, (0, 0), shapes)
    return photo


def with_comment(jpeg: bytes, text: str) -> bytes:
    """The same JPEG with a COM segment after SOI: other bytes, same pixels."""
    body = text.encode()
    segment = b"\xff\xfe" + (len(body) + 2).to_bytes(2, "big") + body
    return jpeg[:2] + segment + jpeg[2:]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("count", type=int)
    parser.add_argument("--megapixels", type=float, default=12.0)
    parser.add_argument("--bases", type=int, default=12)
    parser.add_argument("--first", type=int, default=3000)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    scale = (args.megapixels / 12.0) ** 0.5
    long, short = round(4032 * scale), round(3024 * scale)
    shapes = [(long, short), (long, short), (short, long), (long, round(long * 9 / 16))]
    bases = []
    for i in range(min(args.bases, args.count)):
        w, h = shapes[i % len(shapes)]
        path = os.path.join(args.out, "base.jpg")
        draw(w, h, 1000 + i).save(path, quality=90, subsampling=0)
        with open(path, "rb") as f:
            bases.append(f.read())
        os.remove(path)
    for i in range(args.count):
        number = args.first + i
        with open(os.path.join(args.out, f"IMG_{number}.jpg"), "wb") as f:
            f.write(with_comment(bases[i % len(bases)], f"photo {number}"))


if __name__ == "__main__":
    main()
