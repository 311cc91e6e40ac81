"""Reading generated PDFs in tests."""

import re
import zlib


def inflated(pdf: bytes) -> bytes:
    """The PDF with its compressed streams inflated, so font dictionaries can be read.

    Each stream is inflated from just after its `stream` keyword until zlib says it ended, so
    the `/Length` need not be parsed: cutting the data at the next `endstream` instead lost a
    stream whenever its last byte was a carriage return (about one PDF in forty)."""
    out = [pdf]
    for start in re.finditer(rb"stream\r?\n", pdf):
        try:
            out.append(zlib.decompressobj().decompress(pdf[start.end() :]))
        except zlib.error:
            continue  # `endstream`, or an uncompressed stream
    return b"".join(out)
