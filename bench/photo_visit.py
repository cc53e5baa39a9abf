"""Visits a gallery whose photos have no copies yet, as a browser would: the page,
then every tile's thumbnail six at a time, then the page again. Prints how long
each took and how many tiles had their shape and placeholder.

    photo_visit.py http://127.0.0.1:PORT"""

import re
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

base = sys.argv[1]
# The copy a desktop at 1x picks for a 200-px-high row.
EDGE = 480
# A browser gives up on a request after minutes; anything near that is a failure.
PATIENCE = 120


def get(path: str) -> tuple[bytes, float]:
    started = time.monotonic()
    with urllib.request.urlopen(base + path, timeout=PATIENCE) as answer:
        body = answer.read()
    return body, time.monotonic() - started


def tiles(html: str) -> list[str]:
    return re.findall(r'<li [^>]*data-name="([^"]+)"', html)


def with_placeholder(html: str) -> int:
    return len(re.findall(r"background-image:url\(data:image", html))


page, took = get("/")
html = page.decode()
names = tiles(html)
print(f"first page: {len(names)} tiles in {took * 1000:.0f} ms, {with_placeholder(html)} with a placeholder")


def thumbnail(name: str) -> tuple[float, int]:
    quoted = urllib.parse.quote(name)
    try:
        body, took = get(f"/derived/current/{EDGE}/{quoted}")
        return took, len(body)
    except Exception as error:  # the bench reports it, it does not stop
        print(f"  {name}: {error}")
        return PATIENCE, 0


started = time.monotonic()
with ThreadPoolExecutor(6) as pool:
    made = list(pool.map(thumbnail, names))
total = time.monotonic() - started
times = sorted(t for t, _ in made)
failed = sum(1 for _, size in made if size == 0)
print(
    f"thumbnails of the first page ({EDGE} px): all {len(made)} in {total:.1f} s, "
    f"median {times[len(times) // 2] * 1000:.0f} ms, slowest {times[-1]:.1f} s, "
    f"{failed} failed, {sum(s for _, s in made) // max(1, len(made) - failed) // 1000} KB each"
)

page, took = get("/")
html = page.decode()
print(f"next visit: {len(tiles(html))} tiles in {took * 1000:.0f} ms, {with_placeholder(html)} with a placeholder")
