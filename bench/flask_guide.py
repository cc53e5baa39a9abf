"""The reference the serving benchmark compares with: the beginner's Flask app
that bucket-gallery grows out of, its image route reading the object's bytes and
returning them, here from a local folder (bench/serve runs it under gunicorn)."""

import mimetypes
import os

from flask import Flask, Response, abort

app = Flask(__name__)
BUCKET = os.environ["BUCKET_DIR"]


@app.route("/image/<path:filename>")
def image(filename):
    path = os.path.realpath(os.path.join(BUCKET, filename))
    if not path.startswith(os.path.realpath(BUCKET) + os.sep) or not os.path.isfile(path):
        abort(404)
    with open(path, "rb") as f:
        data = f.read()
    kind = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return Response(data, mimetype=kind)
