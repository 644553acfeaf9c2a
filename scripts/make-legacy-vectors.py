#!/usr/bin/python3
"""Golden vectors for Postern's legacy-hash importer (src/passwords/legacy/).

The hashes come from implementations independent of ours: Debian's python3-passlib (phpass,
scrypt PHC), python3-bcrypt, python3-argon2 (argon2-cffi) and Python's hashlib (md5, sha1,
sha512, pbkdf2, raw scrypt). Run with Debian's interpreter, which sees those packages:

    apt-get install -y python3-passlib python3-bcrypt python3-argon2
    /usr/bin/python3 scripts/make-legacy-vectors.py

It writes test/fixtures/legacy-hashes.json: an array of
{label, hash_type, hash, config?, password, wrong_password}, with `config` keyed by Stytch's
wire field names (md_5_config, argon_2_config, scrypt_config, pbkdf_2_config, ...) so the API
tests can send the same objects to POST /v1/passwords/migrate.

Salts are derived from fixed labels rather than drawn at random, so re-running the script
reproduces the file byte for byte and a diff shows only deliberate changes. Work factors are
kept small so the tests stay fast; they are not recommendations.
"""

import base64
import hashlib
import json
import os
import unicodedata

import argon2.low_level as argon2_ll
import bcrypt
from passlib.hash import phpass, scrypt as passlib_scrypt

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures",
                   "legacy-hashes.json")

NON_ASCII = "pässwörd ✓ 密码"
# Each password comes with a near miss that a sloppy verifier would accept: trimming, Unicode
# normalization, case folding, a swapped emoji.
PASSWORDS = [
    ("correct horse battery staple", "correct horse battery staple "),
    (NON_ASCII, unicodedata.normalize("NFD", NON_ASCII)),
    ("🔐🦄 emoji pass 🎉", "🔐🦄 emoji pass 🎊"),
    (" ", "  "),
    ("Password123", "password123"),
]
# 96 UTF-8 bytes: bcrypt only reads the first 72. The near miss differs in the first byte.
LONG = "long-passphrase-" + "ü" * 40
LONG_WRONG = "Long-passphrase-" + "ü" * 40
assert len(LONG.encode()) > 72


def det(label, n):
    """Deterministic pseudo-salt bytes for a label (reproducible fixtures, not secrecy)."""
    return hashlib.sha256(label.encode()).digest()[:n]


def b64(data):
    return base64.b64encode(data).decode()


def bcrypt_salt(label):
    """16 salt bytes in bcrypt's alphabet: standard base64 re-lettered, padding dropped."""
    std = base64.b64encode(det(label, 16)).decode().rstrip("=")
    table = str.maketrans(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
        "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    return std.translate(table)


vectors = []


def add(label, hash_type, hash_, password, wrong, config=None):
    entry = {"label": label, "hash_type": hash_type, "hash": hash_}
    if config is not None:
        entry["config"] = config
    entry["password"] = password
    entry["wrong_password"] = wrong
    vectors.append(entry)


def pw(i):
    return PASSWORDS[i % len(PASSWORDS)]


# bcrypt: the three accepted idents, small costs.
for i, (ident, cost) in enumerate([("2a", 4), ("2b", 5), ("2y", 4), ("2b", 4), ("2a", 6)]):
    password, wrong = pw(i)
    setting = f"${ident}${cost:02d}${bcrypt_salt(f'bcrypt-{i}')}".encode()
    h = bcrypt.hashpw(password.encode(), setting).decode()
    assert h.startswith(f"${ident}$") and bcrypt.checkpw(password.encode(), h.encode())
    add(f"bcrypt ${ident}$ cost {cost}", "bcrypt", h, password, wrong)

# bcrypt over 72 bytes: prove (with the independent library) that bcrypt ignores the tail.
h = bcrypt.hashpw(LONG.encode(), f"$2b$04${bcrypt_salt('bcrypt-long')}".encode()).decode()
assert bcrypt.checkpw(LONG.encode()[:72] + b"tail that bcrypt never reads", h.encode())
assert not bcrypt.checkpw(LONG_WRONG.encode(), h.encode())
add("bcrypt $2b$ password over 72 bytes", "bcrypt", h, LONG, LONG_WRONG)

# md_5 / sha_1 / sha_512: hex of prepend_salt + password + append_salt, salts literal UTF-8.
SALTINGS = [
    ("no salt", None),
    ("prepend salt", {"prepend_salt": "pre$salt", "append_salt": ""}),
    ("append salt", {"prepend_salt": "", "append_salt": "sälz✓"}),
    ("both salts", {"prepend_salt": "before-", "append_salt": "-after"}),
]
for hash_type, algorithm in [("md_5", "md5"), ("sha_1", "sha1"), ("sha_512", "sha512")]:
    for i, (what, config) in enumerate(SALTINGS):
        password, wrong = pw(i)
        pre = (config or {}).get("prepend_salt", "")
        app = (config or {}).get("append_salt", "")
        digest = hashlib.new(algorithm, (pre + password + app).encode()).hexdigest()
        wire = None if config is None else {f"{hash_type}_config": config}
        add(f"{hash_type} {what}", hash_type, digest, password, wrong, wire)
    # Uppercase hex is accepted too (Decision 15).
    password, wrong = pw(4)
    digest = hashlib.new(algorithm, password.encode()).hexdigest().upper()
    add(f"{hash_type} uppercase hex", hash_type, digest, password, wrong)

# argon_2i / argon_2id: PHC strings (argon2-cffi) and raw hex + argon_2_config.
ARGON2 = [(argon2_ll.Type.I, "argon_2i"), (argon2_ll.Type.ID, "argon_2id")]
for j, (kind, hash_type) in enumerate(ARGON2):
    for i, (t, m, p, length, version) in enumerate(
            [(2, 1024, 1, 32, 19), (1, 4096, 2, 16, 19), (3, 2048, 1, 64, 16)]):
        password, wrong = pw(i + j)
        phc = argon2_ll.hash_secret(password.encode(), det(f"{hash_type}-{i}", 16), time_cost=t,
                                    memory_cost=m, parallelism=p, hash_len=length, type=kind,
                                    version=version).decode()
        add(f"{hash_type} PHC v={version} m={m} t={t} p={p}", hash_type, phc, password, wrong)
    for i, (salt, t, m, p, length) in enumerate(
            [("saltsalt", 2, 1024, 1, 32), ("sälty salt ✓ 1234", 1, 8192, 4, 16)]):
        password, wrong = pw(i + j + 1)
        raw = argon2_ll.hash_secret_raw(password.encode(), salt.encode(), time_cost=t,
                                        memory_cost=m, parallelism=p, hash_len=length, type=kind,
                                        version=19)
        config = {"salt": salt, "iteration_amount": t, "memory": m, "threads": p,
                  "key_length": length}
        add(f"{hash_type} raw hex m={m} t={t} p={p}", hash_type, raw.hex(), password, wrong,
            {"argon_2_config": config})

# scrypt: passlib's PHC form, and hashlib's raw output as base64 + scrypt_config.
for i, (ln, r, p) in enumerate([(10, 8, 1), (12, 4, 2), (14, 8, 1)]):
    password, wrong = pw(i)
    h = passlib_scrypt.using(rounds=ln, block_size=r, parallelism=p,
                             salt=det(f"scrypt-phc-{i}", 16)).hash(password)
    assert passlib_scrypt.verify(password, h)
    add(f"scrypt PHC ln={ln} r={r} p={p}", "scrypt", h, password, wrong)
for i, (n, r, p, length, salt_len) in enumerate(
        [(1024, 8, 1, 32, 16), (16384, 8, 1, 64, 32), (2048, 2, 3, 16, 8)]):
    password, wrong = pw(i + 2)
    salt = det(f"scrypt-raw-{i}", salt_len)
    raw = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=length,
                         maxmem=64 * 1024 * 1024)
    config = {"salt": b64(salt), "n_parameter": n, "r_parameter": r, "p_parameter": p,
              "key_length": length}
    add(f"scrypt raw base64 N={n} r={r} p={p}", "scrypt", b64(raw), password, wrong,
        {"scrypt_config": config})

# pbkdf_2: base64 hash + pbkdf_2_config (salt base64); algorithm given, omitted (sha256).
for i, (algorithm, iterations, length, send_algorithm) in enumerate(
        [("sha256", 1000, 32, True), ("sha256", 10000, 32, False), ("sha512", 5000, 64, True),
         ("sha512", 1, 16, True), ("sha256", 2000, 64, True)]):
    password, wrong = pw(i)
    salt = det(f"pbkdf2-{i}", 16)
    raw = hashlib.pbkdf2_hmac(algorithm, password.encode(), salt, iterations, length)
    config = {"salt": b64(salt), "iteration_amount": iterations, "key_length": length}
    if send_algorithm:
        config["algorithm"] = algorithm
    add(f"pbkdf_2 {algorithm} i={iterations} len={length}"
        + ("" if send_algorithm else " (default algorithm)"), "pbkdf_2", b64(raw), password, wrong,
        {"pbkdf_2_config": config})

# phpass: portable hashes, $P$ (WordPress) and $H$ (phpBB); 2^8..2^13 md5 rounds.
for i, (ident, rounds) in enumerate([("P", 8), ("H", 11), ("P", 13), ("H", 7), ("P", 10)]):
    password, wrong = pw(i)
    salt = base64.b64encode(det(f"phpass-{i}", 6)).decode().replace("+", ".")
    h = phpass.using(ident=ident, rounds=rounds, salt=salt).hash(password)
    assert h.startswith(f"${ident}$") and phpass.verify(password, h)
    add(f"phpass ${ident}$ 2^{rounds}", "phpass", h, password, wrong)

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w", encoding="utf-8") as f:
    json.dump(vectors, f, ensure_ascii=False, indent=2)
    f.write("\n")
print(f"wrote {len(vectors)} vectors to {os.path.normpath(OUT)}")
