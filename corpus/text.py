"""Character folding that keeps offsets: full-width forms to ASCII, one character for one."""

from __future__ import annotations

_FULL = "（）：；，　！？＜＞［］０１２３４５６７８９．、\xa0\u2002\u2003\u2009\t"
_HALF = "():;, !?<>[]0123456789.、     "
_TABLE = str.maketrans(_FULL, _HALF)


def fold(text: str) -> str:
    """Fold full-width brackets, colon, semicolon, comma, space and digits to ASCII.

    The result has the same length as the input, so a match found in the folded text has the
    same offsets in the original. Chinese 、 and 。 are kept: they carry meaning in the data. No-break
    and other odd spaces (seen in the bundled 003 between labels) become plain spaces.

    Example:
        >>> fold("（牵头单位：市司法局；完成时限：２０２０年底）")
        '(牵头单位:市司法局;完成时限:2020年底)'
    """
    return text.translate(_TABLE)
