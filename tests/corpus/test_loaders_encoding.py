"""Text files: the encoding is detected (UTF-8, GB18030, Big5, UTF-16 with or without BOM), garble refused."""

from __future__ import annotations

import codecs
import random

import pytest

from corpus.errors import CorruptDocumentError, ImplausibleTextError
from corpus.loaders import load_bytes
from corpus.loaders.plausible import plausibility

SIMPLIFIED = "一、总体要求\n为认真贯彻落实国务院关于优化营商环境的部署，制定本方案。\n牵头单位：市市场监管局\n"
TRADITIONAL = "一、總體要求\n為認真貫徹落實國務院關於優化營商環境的部署，制定本方案。\n牽頭單位：市市場監管局\n"


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        (SIMPLIFIED, "utf-8"),
        (SIMPLIFIED, "gb18030"),
        (SIMPLIFIED, "gbk"),
        (TRADITIONAL, "cp950"),  # Big5: decodes without error as GB18030 too, into garble
        (TRADITIONAL, "utf-8"),
        (SIMPLIFIED, "utf-16-le"),  # no byte-order mark
        (SIMPLIFIED, "utf-16-be"),
        (TRADITIONAL, "utf-16-le"),
    ],
)
def test_text_in_each_encoding_reads_back_exactly(text: str, codec: str) -> None:
    assert load_bytes(text.encode(codec), "a.txt").text == text


@pytest.mark.parametrize("bom", [codecs.BOM_UTF8, codecs.BOM_UTF16_LE])
def test_byte_order_mark_decides_and_is_dropped(bom: bytes) -> None:
    codec = "utf-8" if bom == codecs.BOM_UTF8 else "utf-16-le"
    assert load_bytes(bom + SIMPLIFIED.encode(codec), "a.txt").text == SIMPLIFIED


def test_big5_forced_through_gb18030_would_be_garble() -> None:
    # why detection is needed: the wrong codec raises nothing, only the characters tell
    garbled = TRADITIONAL.encode("cp950").decode("gb18030")
    assert plausibility(garbled).share < 0.6 < 0.99 < plausibility(TRADITIONAL).share


def test_bytes_that_decode_only_to_garble_are_refused() -> None:
    rng = random.Random(7)
    # two-byte sequences from GBK's rarely used lead-byte range: valid GB18030, not Chinese anyone wrote
    data = b"".join(bytes((rng.randint(0x81, 0xA0), rng.randint(0x40, 0x7E))) for _ in range(400))
    with pytest.raises(ImplausibleTextError, match=r"garble\.txt does not decode to plausible Chinese") as err:
        load_bytes(data, "garble.txt")
    assert "gb18030" in str(err.value) and "save it as UTF-8" in str(err.value)


def test_nul_bytes_that_are_not_utf16_chinese_are_binary() -> None:
    with pytest.raises(CorruptDocumentError, match=r"NUL bytes"):
        load_bytes(b"\x00\x01\x02\x03binary data here", "b.txt")


def test_latin_text_with_a_few_chinese_characters_keeps_the_old_order() -> None:
    # too few Chinese characters to judge by: GB18030 as before detection existed
    assert load_bytes("Plan 方案 v2".encode("gbk"), "p.txt").text == "Plan 方案 v2"
