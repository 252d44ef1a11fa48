#!/usr/bin/env python3
"""Seed corpora for the fuzz targets, from the TEST fixtures: python3 fuzz/make-seeds.py OUTDIR

Writes OUTDIR/<target>/ for every target fuzz/run knows: the real files the target parses (card files,
certificates, the photo, the PDF and XML documents), inputs made here from the TEST keys (a detached CMS like `jpki sign --cms` writes,
a login bundle, signature files), and structure-aware variants of each TLV/DER seed — the same bytes with
one object emptied, removed, doubled or given a lying length — because random byte changes to valid DER
almost never give valid DER with one field changed. Deterministic, standard library only.
"""

import base64
import hashlib
import json
import shutil
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
HEALTHY = FIXTURES / "profiles" / "healthy"
CONTENT = "署名される文書 (fuzz/make-seeds.py signs these bytes)".encode()   # FuzzCMS hashes the same bytes
VARIANTS_PER_SEED = 150


# ------------------------------------------------------------------ DER, RSA

def der(tag: int, value: bytes) -> bytes:
    n = len(value)
    length = bytes([n]) if n < 0x80 else (n.to_bytes((n.bit_length() + 7) // 8, "big"))
    if n >= 0x80:
        length = bytes([0x80 | len(length)]) + length
    return bytes([tag]) + length + value


def der_int(value: int) -> bytes:
    return der(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def der_oid(dotted: str) -> bytes:
    parts = [int(p) for p in dotted.split(".")]
    body = bytes([parts[0] * 40 + parts[1]])
    for part in parts[2:]:
        chunk = [part & 0x7F]
        while part > 0x7F:
            part >>= 7
            chunk.insert(0, 0x80 | (part & 0x7F))
        body += bytes(chunk)
    return der(0x06, body)


def nodes(data: bytes, start: int = 0, end: int | None = None):
    """(start, header length, end, constructed) of each BER object in data[start:end], up to the first bytes
    that are not one (padding, garbage)."""
    end = len(data) if end is None else end
    out, pos = [], start
    while pos < end:
        begin = pos
        first = data[pos]; pos += 1
        if first & 0x1F == 0x1F:
            while pos < end and data[pos] & 0x80:
                pos += 1
            pos += 1
        if pos >= end:
            break
        length = data[pos]; pos += 1
        if length & 0x80:
            count = length & 0x7F
            if not 1 <= count <= 3 or pos + count > end:
                break
            length = int.from_bytes(data[pos:pos + count], "big"); pos += count
        if pos + length > end:
            break
        out.append((begin, pos - begin, pos + length, bool(first & 0x20)))
        pos += length
    return out


def children(data: bytes, node):
    begin, header, end, _ = node
    return nodes(data, begin + header, end)


def rsa_key(name: str):
    """(n, d) of a TEST key in fixtures/keys/ (PKCS#1 RSAPrivateKey: version, n, e, d, …)."""
    data = (FIXTURES / "keys" / f"{name}.der").read_bytes()
    fields = children(data, nodes(data)[0])
    n, _, d = (int.from_bytes(data[b + h:e], "big") for b, h, e, _ in fields[1:4])
    return n, d


DIGEST_INFO = {"sha256": "3031300d060960864801650304020105000420", "sha384": "3041300d060960864801650304020205000430",
               "sha512": "3051300d060960864801650304020305000440"}
HASH_OID = {"sha256": "2.16.840.1.101.3.4.2.1", "sha384": "2.16.840.1.101.3.4.2.2", "sha512": "2.16.840.1.101.3.4.2.3"}


def pkcs1_sign(key, hash_name: str, data: bytes) -> bytes:
    n, d = key
    payload = bytes.fromhex(DIGEST_INFO[hash_name]) + hashlib.new(hash_name, data).digest()
    k = (n.bit_length() + 7) // 8
    message = b"\x00\x01" + b"\xff" * (k - 3 - len(payload)) + b"\x00" + payload
    return pow(int.from_bytes(message, "big"), d, n).to_bytes(k, "big")


# ------------------------------------------------------------------ seeds made from the TEST keys

def detached_cms(hash_name: str) -> bytes:
    """A detached CMS SignedData laid out as DetachedCMSSignature.assemble writes it."""
    signer, ca = (HEALTHY / "jpki" / "sign-cert.der").read_bytes(), (HEALTHY / "jpki" / "sign-ca.der").read_bytes()
    tbs = children(signer, children(signer, nodes(signer)[0])[0])
    serial, issuer = tbs[1], tbs[3]   # tbs[0] is [0] version
    algorithm = der(0x30, der_oid(HASH_OID[hash_name]) + b"\x05\x00")
    attributes = sorted([
        der(0x30, der_oid("1.2.840.113549.1.9.3") + der(0x31, der_oid("1.2.840.113549.1.7.1"))),
        der(0x30, der_oid("1.2.840.113549.1.9.5") + der(0x31, der(0x17, b"270115080000Z"))),
        der(0x30, der_oid("1.2.840.113549.1.9.4") + der(0x31, der(0x04, hashlib.new(hash_name, CONTENT).digest()))),
    ])
    signed = der(0x31, b"".join(attributes))
    signature = pkcs1_sign(rsa_key("healthy-sign"), hash_name, signed)
    signer_info = der(0x30, der_int(1) + der(0x30, signer[issuer[0]:issuer[2]] + signer[serial[0]:serial[2]]) + algorithm
                      + bytes([0xA0]) + signed[1:] + der(0x30, der_oid("1.2.840.113549.1.1.1") + b"\x05\x00")
                      + der(0x04, signature))
    signed_data = der(0x30, der_int(1) + der(0x31, algorithm) + der(0x30, der_oid("1.2.840.113549.1.7.1"))
                      + der(0xA0, signer + ca) + der(0x31, signer_info))
    return der(0x30, der_oid("1.2.840.113549.1.7.2") + der(0xA0, signed_data))


def login_bundle() -> bytes:
    certificate = (HEALTHY / "jpki" / "auth-cert.der").read_bytes()
    tbs = children(certificate, children(certificate, nodes(certificate)[0])[0])
    serial = int.from_bytes(certificate[tbs[1][0] + tbs[1][1]:tbs[1][2]], "big")
    challenge = b"challenge"
    return json.dumps({
        "version": 1, "algorithm": "sha256WithRSAEncryption", "serial": f"{serial:X}",
        "certificate": base64.b64encode(certificate).decode(), "challenge": base64.b64encode(challenge).decode(),
        "signature": base64.b64encode(pkcs1_sign(rsa_key("healthy-auth"), "sha256", challenge)).decode(),
    }, sort_keys=True, indent=2).encode()


def jp2_codestream(jp2: bytes) -> bytes:
    pos = 0
    while pos < len(jp2):
        length, kind = struct.unpack(">I4s", jp2[pos:pos + 8])
        if kind == b"jp2c":
            return jp2[pos + 8:pos + length if length else len(jp2)]
        pos += length
    raise ValueError("no jp2c box")


def jp2_with_siz(jp2: bytes, width: int, height: int, tile: int) -> bytes:
    data = bytearray(jp2)
    siz = data.index(b"\xff\x51")
    data[siz + 6:siz + 14] = struct.pack(">II", width, height)
    data[siz + 22:siz + 30] = struct.pack(">II", tile, tile)
    return bytes(data)


# ------------------------------------------------------------------ structure-aware variants

def tree(data: bytes, start: int = 0, end: int | None = None, depth: int = 0):
    """data[start:end] as [tag, children or None, content] objects; a tail that is not TLV (padding) is kept
    as a raw object with tag b"". None when not even the first object parses."""
    end = len(data) if end is None else end
    level = nodes(data, start, end)
    out, pos = [], start
    for begin, header, stop, constructed in level:
        tag = data[begin:begin + header - _length_size(data, begin, header)]
        inner = tree(data, begin + header, stop, depth + 1) if constructed and stop > begin + header and depth < 24 else None
        out.append([tag, inner, data[begin + header:stop]])
        pos = stop
    if not out and depth > 0:
        return None  # a constructed object whose content is not TLV is kept as plain content
    if pos < end:
        out.append([b"", None, data[pos:end]])
    return out


def _length_size(data: bytes, begin: int, header: int) -> int:
    tag = 1
    if data[begin] & 0x1F == 0x1F:
        while data[begin + tag] & 0x80:
            tag += 1
        tag += 1
    return header - tag


def encode(objects) -> bytes:
    out = b""
    for tag, inner, content, *lying in objects:
        body = encode(inner) if inner is not None else content
        out += body if not tag else tag + (lying[0] if lying else _length(len(body))) + body
    return out


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def paths(objects, prefix=()):
    for index, (tag, inner, *_rest) in enumerate(objects):
        yield prefix + (index,)
        if inner is not None:
            yield from paths(inner, prefix + (index,))


def changed(objects, path, change):
    """A copy of the tree with the object at `path` emptied, removed, doubled or given a lying length."""
    copy = [list(o) for o in objects]
    index = path[0]
    if len(path) > 1:
        copy[index][1] = changed(copy[index][1], path[1:], change)
        return copy
    tag, inner, content = copy[index][:3]
    if change == "empty":
        copy[index] = [tag, [] if inner is not None else None, b""]
    elif change == "remove":
        del copy[index]
    elif change == "double":
        copy.insert(index, copy[index])
    else:
        copy[index] = [tag, inner, content, change]
    return copy


def variants(data: bytes):
    """The seed with one object emptied, removed, doubled or given a lying length (2^32-1, 0xFFFF), for up
    to VARIANTS_PER_SEED changes spread over the whole tree."""
    objects = tree(data)
    if not objects or (not objects[-1][0] and len(objects[-1][2]) > 4):
        return []  # not TLV, or TLV only by accident (PEM text, token info): libFuzzer's byte mutations suit it
    every = list(paths(objects))
    changes = ["empty", "remove", "double", b"\x84\xff\xff\xff\xff", b"\x82\xff\xff"]
    step = max(1, len(every) * len(changes) // VARIANTS_PER_SEED)
    pairs = [(path, change) for path in every for change in changes]
    return [encode(changed(objects, path, change)) for path, change in pairs[::step]]


# ------------------------------------------------------------------ corpora

def card_files(*names):
    return {name.replace("/", "-"): (HEALTHY / name).read_bytes() for name in names}


def corpora():
    jp2 = (HEALTHY / "face" / "face.jp2").read_bytes()
    pems = {p.name: p.read_bytes() for p in sorted((FIXTURES / "ca").glob("*.pem"))}
    signature = pkcs1_sign(rsa_key("healthy-sign"), "sha256", CONTENT)
    tlv_files = card_files("text/0001-my-number.bin", "text/0002-basic-info.bin", "text/0003-signature.bin",
                           "text/0004-cv-cert.bin", "text/0005-ap-info.bin", "face/0001-age-record.bin",
                           "face/0003-ap-info.bin", "face/0005-my-number-image.bin")
    return {
        # (seeds, whether to add structure-aware variants)
        "tlv": (dict(tlv_files, **{"select-apdu": bytes.fromhex("00A4040C0AD392F000260100000001"),
                                   "read-apdu": bytes.fromhex("00B0000000"), "extended-apdu": bytes.fromhex("00B00000000100"),
                                   "response": bytes.fromhex("3082010A9000")}), True),
        "card-file": (card_files("jpki/auth-cert.der", "jpki/auth-ca.der", "jpki/sign-cert.der", "jpki/token-info.bin",
                                 "text/0002-basic-info.bin"), True),
        "cv-certificate": (card_files("text/0004-cv-cert.bin", "face/0004-cv-cert.bin"), True),
        "text-files": (card_files("text/0001-my-number.bin", "text/0002-basic-info.bin", "text/0003-signature.bin"), True),
        "card-face": (card_files("face/0002-card-face.bin"), True),
        "cms": ({f"cms-{h}": detached_cms(h) for h in DIGEST_INFO} | {"raw-signature": signature}, True),
        "login-bundle": ({"bundle.json": login_bundle()}, False),
        "input-files": ({**pems, "auth-ca.der": (FIXTURES / "ca" / "auth-ca.der").read_bytes(),
                         "signature.bin": signature, "signature.b64": base64.b64encode(signature),
                         "signature.json": json.dumps({"hash": "sha256", "signature": base64.b64encode(signature).decode()}).encode(),
                         "hex.txt": b"3B E0 00 FF 81 31 FE 45 14"}, True),
        "jpeg2000": ({"face.jp2": jp2, "face.j2k": jp2_codestream(jp2), "face-1600.jp2": jp2_with_siz(jp2, 1600, 1600, 1600),
                      "face-tiles.jp2": jp2_with_siz(jp2, 64, 80, 16)}, False),
        "pdf": ({p.name: p.read_bytes() for p in sorted((FIXTURES / "pdf").glob("*.pdf"))}, False),
        "xml": ({p.name: p.read_bytes() for p in sorted((FIXTURES / "xml").glob("*.xml"))}, False),
    }


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: python3 fuzz/make-seeds.py OUTDIR")
    out = Path(sys.argv[1])
    for target, (seeds, structured) in corpora().items():
        folder = out / target
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        for name, data in seeds.items():
            (folder / name).write_bytes(data)
            if structured:
                for index, variant in enumerate(variants(data)):
                    (folder / f"{name}-v{index:03d}").write_bytes(variant)
        print(f"{target}: {len(list(folder.iterdir()))} seeds")


if __name__ == "__main__":
    main()
