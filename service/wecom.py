"""WeCom (企业微信, and 政务微信 built on it) self-built app callbacks: signature, AES decryption, encrypted replies.

WeCom documents the scheme ("加解密方案说明"):

- ``msg_signature = sha1("".join(sorted([token, timestamp, nonce, encrypted])))`` in hex;
- ``AESKey = base64decode(EncodingAESKey + "=")`` (32 bytes), AES-256-CBC with ``IV = AESKey[:16]``;
- the plaintext is ``random(16 bytes) + msg_len (4 bytes, big-endian) + msg + receiveid``,
  padded PKCS#7-style to a multiple of **32** bytes; ``receiveid`` is the corp id;
- URL verification is a GET with ``msg_signature, timestamp, nonce, echostr``: check the
  signature over ``echostr``, decrypt it, answer the plaintext;
- a message is a POST whose XML body carries ``<Encrypt>``; a passive reply is the XML
  ``<Encrypt>, <MsgSignature>, <TimeStamp>, <Nonce>`` of the encrypted reply message.

Example:
    >>> crypto = WeComCrypto("token", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wx5823bf96d3bd56c7")
    >>> crypto.decrypt(crypto.encrypt("<xml/>"))
    '<xml/>'
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import struct
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

_BLOCK = 32  # WeCom pads to 32 bytes, not AES's 16
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
#: Largest callback body accepted (WeCom messages are a few kB).
MAX_BODY_BYTES = 64 * 1024


class WeComError(Exception):
    """A callback failed a check; ``status`` is the HTTP status to answer (400 or 403)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def aes_key(encoding_aes_key: str) -> bytes:
    """The 32-byte AES key of a 43-character EncodingAESKey.

    Raises:
        ValueError: the EncodingAESKey is not 43 base64 characters decoding to 32 bytes.
    """
    if len(encoding_aes_key) != 43:
        raise ValueError(f"a WeCom EncodingAESKey has 43 characters; got {len(encoding_aes_key)}")
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"the WeCom EncodingAESKey is not base64: {exc}") from None
    if len(key) != 32:
        raise ValueError(f"the WeCom EncodingAESKey decodes to {len(key)} bytes, not 32")
    return key


def signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    """``msg_signature``: SHA1 of the four strings sorted and joined, in hex."""
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypted])).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class WeComCrypto:
    """Signs, encrypts and decrypts WeCom callback payloads of one app.

    Args:
        token: the callback Token set in the app's admin page.
        encoding_aes_key: the 43-character EncodingAESKey.
        receive_id: the corp id (企业ID); decrypted messages must end with it.

    Raises:
        ValueError: a malformed EncodingAESKey (see :func:`aes_key`).
    """

    token: str
    encoding_aes_key: str
    receive_id: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "_key", aes_key(self.encoding_aes_key))

    @property
    def key(self) -> bytes:
        """The AES-256 key."""
        key: bytes = self._key  # type: ignore[attr-defined]
        return key

    def verify(self, msg_signature: str | None, timestamp: str | None, nonce: str | None, encrypted: str) -> None:
        """Check ``msg_signature`` over ``encrypted``.

        Raises:
            WeComError: 400 when a query parameter is missing, 403 when the signature differs.
        """
        if not msg_signature or timestamp is None or nonce is None:
            raise WeComError(400, "missing WeCom query parameter: msg_signature, timestamp and nonce are required")
        expected = signature(self.token, timestamp, nonce, encrypted)
        if not hmac.compare_digest(msg_signature.lower().encode(), expected.encode()):
            raise WeComError(403, "WeCom msg_signature does not match")

    def decrypt(self, encrypted: str) -> str:
        """The message inside ``encrypted`` (base64 of the AES-CBC ciphertext).

        Raises:
            WeComError: 400 when it is not base64 of whole blocks, the padding or length is
                wrong, or it is not UTF-8; 403 when the receive id is not this corp's.
        """
        try:
            data = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError):
            raise WeComError(400, "WeCom Encrypt is not base64") from None
        if not data or len(data) % 16:
            raise WeComError(400, f"WeCom ciphertext of {len(data)} bytes is not whole AES blocks")
        decryptor = Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16])).decryptor()
        plain = decryptor.update(data) + decryptor.finalize()
        pad = plain[-1]
        if not 1 <= pad <= _BLOCK or plain[-pad:] != bytes([pad]) * pad:
            raise WeComError(400, "WeCom plaintext has bad padding (wrong EncodingAESKey?)")
        body = plain[16:-pad]
        if len(body) < 4:
            raise WeComError(400, "WeCom plaintext is too short")
        (length,) = struct.unpack(">I", body[:4])
        if length > len(body) - 4:
            raise WeComError(400, f"WeCom message length {length} exceeds the plaintext")
        message, receive_id = body[4 : 4 + length], body[4 + length :]
        if not hmac.compare_digest(receive_id, self.receive_id.encode("utf-8")):
            raise WeComError(403, "WeCom message is for another corp id")
        try:
            return message.decode("utf-8")
        except UnicodeDecodeError:
            raise WeComError(400, "WeCom message is not UTF-8") from None

    def encrypt(self, message: str, random16: bytes | None = None) -> str:
        """``message`` encrypted as WeCom expects, base64-encoded."""
        raw = message.encode("utf-8")
        plain = (random16 or os.urandom(16)) + struct.pack(">I", len(raw)) + raw + self.receive_id.encode("utf-8")
        pad = _BLOCK - len(plain) % _BLOCK
        plain += bytes([pad]) * pad
        encryptor = Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16])).encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode("ascii")

    def reply(self, message: str, timestamp: str, nonce: str) -> str:
        """The passive reply XML: the encrypted ``message`` with its signature, timestamp and nonce."""
        encrypted = self.encrypt(message)
        sig = signature(self.token, timestamp, nonce, encrypted)
        return (
            f"<xml><Encrypt>{cdata(encrypted)}</Encrypt><MsgSignature>{cdata(sig)}</MsgSignature>"
            f"<TimeStamp>{timestamp}</TimeStamp><Nonce>{cdata(nonce)}</Nonce></xml>"
        )


def cdata(text: str) -> str:
    """``text`` as CDATA; a "]]>" inside is split across two sections."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def parse_xml(data: bytes) -> dict[str, str]:
    """The child elements of a WeCom XML document as {tag: text}.

    Raises:
        WeComError: 400 for a body over 64 kB, a DOCTYPE or entity declaration (refused: no
            entity expansion from the network), or XML that does not parse.
    """
    if len(data) > MAX_BODY_BYTES:
        raise WeComError(400, f"WeCom body of {len(data)} bytes exceeds {MAX_BODY_BYTES}")
    if _DOCTYPE.search(data):
        raise WeComError(400, "WeCom XML must not declare a DOCTYPE or entities")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise WeComError(400, f"WeCom body is not XML: {exc}") from None
    return {child.tag: (child.text or "") for child in root}


def text_message(to_user: str, from_user: str, content: str, create_time: int) -> str:
    """A WeCom text message XML (the plaintext of a passive reply)."""
    return (
        f"<xml><ToUserName>{cdata(to_user)}</ToUserName><FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{create_time}</CreateTime><MsgType>{cdata('text')}</MsgType>"
        f"<Content>{cdata(content)}</Content></xml>"
    )
