#!/usr/bin/python3
"""Interoperability test of HP1: decode hp1_sample's certificate with libraries that share no code
with cert/ -- a base45 decoder written here from RFC 9285, zlib from the standard library, cbor2
for COSE_Sign1 and the CWT, PyNaCl (libsodium) for Ed25519 -- and compare every claim with what
hp1_sample says it issued. A tampered certificate must fail.

Usage: /usr/bin/python3 interop_test.py <path to hp1_sample>
(Debian's python3-cbor2 and python3-nacl are installed for /usr/bin/python3.)
"""
import base64
import hashlib
import json
import subprocess
import sys
import uuid
import zlib

import cbor2
import nacl.exceptions
import nacl.signing

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


def b45decode(text):
    """RFC 9285 section 4.2, written from the RFC."""
    if len(text) % 3 == 1:
        raise ValueError("bad base45 length")
    values = [ALPHABET.index(c) for c in text]  # ValueError on a foreign character
    out = bytearray()
    for i in range(0, len(values), 3):
        chunk = values[i:i + 3]
        n = sum(v * 45 ** k for k, v in enumerate(chunk))
        if len(chunk) == 3:
            if n > 0xFFFF:
                raise ValueError("base45 group over 65535")
            out += n.to_bytes(2, "big")
        else:
            if n > 0xFF:
                raise ValueError("base45 group over 255")
            out.append(n)
    return bytes(out)


def b45encode(data):
    out = []
    for i in range(0, len(data), 2):
        if i + 1 < len(data):
            n = data[i] * 256 + data[i + 1]
            out += [ALPHABET[n % 45], ALPHABET[n // 45 % 45], ALPHABET[n // 2025]]
        else:
            out += [ALPHABET[data[i] % 45], ALPHABET[data[i] // 45]]
    return "".join(out)


def verify(hp1, public_key):
    """Every stage; raises on any failure; returns (protected header, claims, payload bytes)."""
    if not hp1.startswith("HP1:"):
        raise ValueError("prefix")
    cose_bytes = zlib.decompress(b45decode(hp1[4:]))
    message = cbor2.loads(cose_bytes)
    if not isinstance(message, cbor2.CBORTag) or message.tag != 18:
        raise ValueError("not COSE_Sign1 tag 18")
    protected_bstr, unprotected, payload, signature = message.value
    protected = cbor2.loads(protected_bstr)
    if protected.get(1) != -8:
        raise ValueError("alg is not EdDSA")
    if unprotected != {}:
        raise ValueError("unprotected header is not empty")
    kid = protected.get(4)
    if kid != hashlib.sha256(public_key).digest()[:8]:
        raise ValueError("kid is not sha256(public key)[:8]")
    sig_structure = cbor2.dumps(["Signature1", protected_bstr, b"", payload])
    nacl.signing.VerifyKey(public_key).verify(sig_structure, signature)
    claims = cbor2.loads(payload)
    return protected, claims, payload


def check_claims(claims, payload, expected):
    assert set(claims) == {1, 4, 6, 7, -65537}, claims.keys()
    assert claims[1] == expected["iss"]
    assert claims[6] == expected["iat"]
    assert claims[4] == expected["exp"]
    assert claims[7] == uuid.UUID(expected["id"]).bytes
    cert = claims[-65537]
    text_keys = {1: "number", 2: "purpose", 3: "species", 7: "origin", 8: "origin_place",
                 9: "destination", 10: "destination_place", 11: "transport", 13: "vet",
                 14: "owner_masked_name", 15: "owner_phone_last4"}
    for key, name in text_keys.items():
        assert cert[key] == expected[name], (name, cert[key], expected[name])
    assert cert[4] == expected["head_count"]
    if expected["tags"]:
        assert 6 not in cert
        assert cert[5] == expected["tags"]
        assert len(cert[5]) == expected["tag_count"]
    else:
        assert 5 not in cert
        digest = hashlib.sha256("\n".join(sorted(expected["all_tags"])).encode()).digest()
        assert cert[6] == {1: expected["tag_count"], 2: digest}, cert[6]
        assert expected["tags_sha256"] == digest.hex()
        assert expected["tag_count"] == len(expected["all_tags"])
    assert cert[12] == expected["vaccinations"], cert[12]
    assert len(cert) == 14, sorted(cert)
    # Deterministic encoding: cbor2's canonical form (RFC 7049 section 3.9) orders these keys as
    # RFC 8949's core deterministic encoding does, so it must give back the very same bytes.
    assert cbor2.dumps(claims, canonical=True) == payload, "payload is not deterministic CBOR"


def must_fail(hp1, public_key, what):
    try:
        verify(hp1, public_key)
    except (ValueError, zlib.error, cbor2.CBORDecodeError, nacl.exceptions.BadSignatureError):
        return
    raise AssertionError(what + " verified")


def run(sample, args, folded):
    out = subprocess.run([sample] + args, check=True, capture_output=True, text=True).stdout
    doc = json.loads(out)
    assert (doc["expected"]["tags"] == []) == folded, "tags folded: expected %s" % folded
    public_key = base64.b64decode(doc["public_key_b64"])
    hp1 = doc["hp1"]
    protected, claims, payload = verify(hp1, public_key)
    assert protected[4].hex() == doc["kid"]
    check_claims(claims, payload, doc["expected"])
    assert len(hp1) <= 1041, len(hp1)  # fits a version 25-Q QR code

    # Tampered: one payload byte changed, re-encoded properly; the signature must fail.
    message = cbor2.loads(zlib.decompress(b45decode(hp1[4:])))
    protected_bstr, unprotected, payload, signature = message.value
    tampered_payload = bytearray(payload)
    tampered_payload[-1] ^= 0x01
    tampered = cbor2.dumps(cbor2.CBORTag(18, [protected_bstr, unprotected,
                                              bytes(tampered_payload), signature]))
    must_fail("HP1:" + b45encode(zlib.compress(tampered, 9)), public_key, "tampered payload")
    # The same message re-encoded untouched still verifies (the tamper is what fails).
    untouched = cbor2.dumps(cbor2.CBORTag(18, [protected_bstr, unprotected, payload, signature]))
    verify("HP1:" + b45encode(zlib.compress(untouched, 9)), public_key)
    # Tampered text: every single-character change of the middle of the text fails somewhere.
    middle = len(hp1) // 2
    for c in "0A:":
        if hp1[middle] != c:
            must_fail(hp1[:middle] + c + hp1[middle + 1:], public_key, "tampered text")
    # Another key.
    must_fail(hp1, bytes(32), "another key")
    return len(hp1)


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def open_jws(jws_text, public_key, typ):
    """RFC 7515 flattened JSON serialization, EdDSA (RFC 8037), checked with PyNaCl."""
    jws = json.loads(jws_text)
    header = json.loads(b64url_decode(jws["protected"]))
    assert header["alg"] == "EdDSA" and header["typ"] == typ, header
    signing_input = (jws["protected"] + "." + jws["payload"]).encode("ascii")
    nacl.signing.VerifyKey(public_key).verify(signing_input, b64url_decode(jws["signature"]))
    return header, json.loads(b64url_decode(jws["payload"]))


def check_documents(sample):
    certificate = json.loads(subprocess.run([sample], check=True, capture_output=True,
                                            text=True).stdout)
    docs = json.loads(subprocess.run([sample, "--documents"], check=True, capture_output=True,
                                     text=True).stdout)
    root = base64.b64decode(docs["root_public_key_b64"])
    header, trust = open_jws(docs["trust_list_jws"], root, "herdpass-trust-list+json")
    assert header["kid"] == hashlib.sha256(root).digest()[:8].hex() == docs["root_kid"]
    assert trust["type"] == "herdpass-trust-list" and trust["version"] == 1
    (key,) = trust["keys"]
    public_key = base64.b64decode(key["public_key"])
    assert key["public_key"] == certificate["public_key_b64"]
    assert key["kid"] == hashlib.sha256(public_key).digest()[:8].hex() == certificate["kid"]
    header, revocations = open_jws(docs["revocation_list_jws"], public_key,
                                   "herdpass-revocation-list+json")
    assert header["kid"] == key["kid"]
    cti = uuid.UUID(certificate["expected"]["id"]).bytes
    assert revocations["revoked"] == [hashlib.sha256(cti).hexdigest()], revocations
    # A changed payload must not verify.
    jws = json.loads(docs["trust_list_jws"])
    jws["payload"] = jws["payload"][:-2] + ("A" if jws["payload"][-2] != "A" else "B") + \
        jws["payload"][-1]
    try:
        open_jws(json.dumps(jws), root, "herdpass-trust-list+json")
    except (nacl.exceptions.BadSignatureError, ValueError):
        pass
    else:
        raise AssertionError("tampered trust list verified")


def fenced_block_after(text, heading):
    """The lines of the first ``` block after the line starting with `heading`, joined."""
    rest = text[text.index(heading):]
    start = rest.index("```\n") + 4
    return "".join(rest[start:rest.index("\n```", start)].split("\n"))


def check_worked_example(sample, spec_path):
    """docs/hp1-format.md's worked example must be what the code produces today (the COSE bytes
    hold the CWT, the protected header and the signature)."""
    doc = json.loads(subprocess.run([sample], check=True, capture_output=True, text=True).stdout)
    spec = open(spec_path, encoding="utf-8").read()
    stages = doc["stages"]
    for heading, value in (("#### COSE_Sign1 (", stages["cose_hex"]),
                           ("#### zlib (", stages["zlib_hex"]),
                           ("#### HP1 text (", doc["hp1"])):
        assert fenced_block_after(spec, heading) == value, \
            "docs/hp1-format.md: %s is stale; regenerate it from hp1_sample" % heading


def main():
    sample = sys.argv[1]
    if len(sys.argv) > 2:
        check_worked_example(sample, sys.argv[2])
    few = run(sample, [], folded=False)
    many = run(sample, ["--many-tags"], folded=True)
    check_documents(sample)
    print("interop ok: %d and %d characters, trust and revocation lists" % (few, many))


if __name__ == "__main__":
    main()
