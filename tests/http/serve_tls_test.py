#!/usr/bin/python3
"""Black-box tests of `herdpass serve` over TLS (--tls-cert, --tls-key, SIGHUP, --redirect-port),
`herdpass tls self-signed`, and gzip both ways, against the real binary on loopback ports.

The clients share no code with the server: Python's ssl and http.client, zlib's gzip through
Python's gzip module, `openssl s_client` and `sslscan` (Debian's sslscan, scripts/deps.sh).

Usage: /usr/bin/python3 serve_tls_test.py HERDPASS_BIN [unittest arguments, e.g. TlsTest]
"""
import datetime
import gzip
import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import uuid
import subprocess
import sys
import tempfile
import threading
import unittest
import xml.etree.ElementTree as ET

BIN = sys.argv.pop(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(args, stdin=""):
    return subprocess.run([BIN] + args, input=stdin, capture_output=True, text=True, timeout=60)


class Deployment:
    """A data directory, a CA and server certificate from `tls self-signed`, a serve process."""

    def __init__(self, host="127.0.0.1"):
        self.dir = tempfile.mkdtemp(prefix="herdpass-tls-")
        self.data = os.path.join(self.dir, "data")
        r = run(["init", "--data", self.data, "--region", "KZ", "--authority", "KZ-ABY"])
        assert r.returncode == 0, r.stderr
        self.admin_password = r.stdout.split("admin password: ")[1].split()[0]
        self.certs = self.self_signed(host, "certs")
        self.proc = None

    def self_signed(self, host, name):
        out = os.path.join(self.dir, name)
        r = run(["tls", "self-signed", "--host", host, "--out", out])
        assert r.returncode == 0, r.stderr
        return out

    def start(self, *extra, tls=True):
        self.port = free_port()
        args = [BIN, "serve", "--data", self.data, "--listen", f"127.0.0.1:{self.port}"]
        if tls:
            args += ["--tls-cert", os.path.join(self.certs, "server.crt"),
                     "--tls-key", os.path.join(self.certs, "server.key")]
        self.proc = subprocess.Popen(args + list(extra), stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        self.lines = []
        self.ended = False
        self.changed = threading.Condition()

        def drain():  # the server's log, read as it comes so that the pipe never fills
            for line in self.proc.stdout:
                with self.changed:
                    self.lines.append(line)
                    self.changed.notify_all()
            with self.changed:
                self.ended = True
                self.changed.notify_all()

        self.drain = threading.Thread(target=drain, daemon=True)
        self.drain.start()
        if not self.wait_for_log("herdpass serving"):
            raise AssertionError("serve did not start: " + self.log())

    def wait_for_log(self, text, timeout=60):
        """True once a line of the server's output holds `text`; False when it exits first."""
        with self.changed:
            self.changed.wait_for(lambda: self.ended or text in "".join(self.lines), timeout)
            return text in "".join(self.lines)

    def log(self):
        return "".join(self.lines)

    def context(self, *ca_dirs, version=None):
        ctx = ssl.create_default_context(cafile=os.path.join(self.certs, "ca.crt"))
        for d in ca_dirs:
            ctx.load_verify_locations(cafile=os.path.join(d, "ca.crt"))
        if version is not None:
            ctx.minimum_version = ctx.maximum_version = version
        return ctx

    def https(self, ctx=None, host="127.0.0.1"):
        return http.client.HTTPSConnection(host, self.port, context=ctx or self.context(),
                                           timeout=10)

    def close(self):
        """Stops the server (SIGTERM: a graceful stop exits 0, also under the sanitizers)."""
        try:
            if self.proc:
                if self.proc.poll() is None:
                    self.proc.terminate()
                code = self.proc.wait(30)
                self.drain.join(30)
                assert code == 0, f"serve exited {code}: " + self.log()[-4000:]
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def fingerprint(conn):
    return hashlib.sha256(conn.sock.getpeercert(binary_form=True)).hexdigest()


class TlsTest(unittest.TestCase):
    def setUp(self):
        self.d = Deployment()
        self.addCleanup(self.d.close)

    def test_tls13_and_tls12_handshake_with_hsts(self):
        self.d.start()
        for version, name in [(ssl.TLSVersion.TLSv1_3, "TLSv1.3"), (ssl.TLSVersion.TLSv1_2, "TLSv1.2")]:
            conn = self.d.https(self.d.context(version=version))
            conn.request("GET", "/healthz")
            r = conn.getresponse()
            r.read()
            self.assertEqual(r.status, 200)
            self.assertEqual(conn.sock.version(), name)
            self.assertEqual(r.getheader("Strict-Transport-Security"), "max-age=31536000")
            if version == ssl.TLSVersion.TLSv1_2:
                cipher = conn.sock.cipher()[0]
                self.assertTrue(cipher.startswith("ECDHE-"), cipher)
            conn.close()

    def test_hostname_in_certificate(self):
        """The SAN holds the DNS name of --host: a client checking the name accepts it."""
        self.d.certs = self.d.self_signed("herdpass.lan", "named")
        self.d.start()
        ctx = self.d.context()
        conn = http.client.HTTPSConnection("127.0.0.1", self.d.port, context=ctx, timeout=10)
        conn._tunnel_host = None
        raw = socket.create_connection(("127.0.0.1", self.d.port))
        with ctx.wrap_socket(raw, server_hostname="herdpass.lan") as s:
            self.assertEqual(s.getpeercert()["subjectAltName"], (("DNS", "herdpass.lan"),))
        raw = socket.create_connection(("127.0.0.1", self.d.port))
        with self.assertRaises(ssl.SSLCertVerificationError):
            ctx.wrap_socket(raw, server_hostname="other.lan")
        raw.close()

    def s_client(self, port, flag):
        # SECLEVEL=0: Debian's OpenSSL refuses TLS 1.0/1.1 on the client side otherwise, and the
        # refusal must be the server's.
        return subprocess.run(
            ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", flag,
             "-cipher", "DEFAULT@SECLEVEL=0"],
            input="", capture_output=True, text=True, timeout=30)

    def test_tls10_and_tls11_refused(self):
        self.d.start()
        # The client can speak them: an OpenSSL server that allows TLS 1.1 completes the handshake.
        port = free_port()
        server = subprocess.Popen(
            ["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert",
             os.path.join(self.d.certs, "server.crt"), "-key",
             os.path.join(self.d.certs, "server.key"), "-cipher", "DEFAULT@SECLEVEL=0",
             "-tls1_1", "-naccept", "1"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True)
        self.addCleanup(server.wait)
        self.addCleanup(server.kill)
        for line in server.stdout:
            if "ACCEPT" in line:
                break
        control = self.s_client(port, "-tls1_1")
        self.assertIn("Protocol  : TLSv1.1", control.stdout)
        for flag in ["-tls1", "-tls1_1"]:
            r = self.s_client(self.d.port, flag)
            self.assertNotEqual(r.returncode, 0, r.stdout)
            self.assertIn("alert protocol version", r.stdout + r.stderr)
        self.assertIn("Protocol: TLSv1.2", self.s_client(self.d.port, "-tls1_2").stdout.replace("  ", " ").replace("Protocol :", "Protocol:"))

    def test_sslscan_no_old_protocol_no_weak_suite(self):
        self.d.start()
        xml_path = os.path.join(self.d.dir, "scan.xml")
        subprocess.run(["sslscan", "--no-colour", f"--xml={xml_path}", f"127.0.0.1:{self.d.port}"],
                       capture_output=True, timeout=120, check=True)
        root = ET.parse(xml_path).getroot()
        protocols = {(p.get("type"), p.get("version")): p.get("enabled")
                     for p in root.iter("protocol")}
        self.assertEqual(protocols[("tls", "1.0")], "0")
        self.assertEqual(protocols[("tls", "1.1")], "0")
        self.assertEqual(protocols[("ssl", "3")], "0")
        self.assertEqual(protocols[("tls", "1.2")], "1")
        self.assertEqual(protocols[("tls", "1.3")], "1")
        ciphers = [(c.get("sslversion"), c.get("cipher")) for c in root.iter("cipher")]
        self.assertTrue(any(v == "TLSv1.2" for v, _ in ciphers), ciphers)
        self.assertTrue(any(v == "TLSv1.3" for v, _ in ciphers), ciphers)
        for version, cipher in ciphers:
            self.assertIn(version, ("TLSv1.2", "TLSv1.3"))
            if version == "TLSv1.2":
                self.assertTrue(cipher.startswith("ECDHE-") and
                                ("GCM" in cipher or "CHACHA20" in cipher), cipher)
            else:
                self.assertIn(cipher, ("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                                       "TLS_CHACHA20_POLY1305_SHA256"))

    def test_sighup_reloads_without_a_failed_request(self):
        self.d.start()
        new = self.d.self_signed("127.0.0.1", "renewed")
        ctx = self.d.context(new)
        # One keep-alive connection opened before the reload and used after it.
        kept = self.d.https(ctx)
        kept.request("GET", "/healthz")
        kept.getresponse().read()
        old_print = fingerprint(kept)

        lock = threading.Lock()
        seen = [[], []]  # per client thread, the fingerprint each fresh connection was served
        failures = []
        done_before = threading.Event()

        def client(k, n):
            for i in range(n):
                try:
                    conn = self.d.https(ctx)
                    conn.request("GET", "/healthz")
                    r = conn.getresponse()
                    r.read()
                    if r.status != 200:
                        failures.append(r.status)
                    seen[k].append(fingerprint(conn))
                    with lock:
                        if len(seen[0]) + len(seen[1]) >= 40:
                            done_before.set()
                    conn.close()
                except Exception as e:  # any failed request fails the test
                    failures.append(repr(e))
                    done_before.set()

        threads = [threading.Thread(target=client, args=(k, 150)) for k in range(2)]
        for t in threads:
            t.start()
        self.assertTrue(done_before.wait(60))
        for name in ("server.crt", "server.key"):
            shutil.copy(os.path.join(new, name), os.path.join(self.d.certs, name + ".new"))
            os.replace(os.path.join(self.d.certs, name + ".new"), os.path.join(self.d.certs, name))
        self.d.proc.send_signal(signal.SIGHUP)
        for t in threads:
            t.join()
        self.assertEqual(failures, [])
        self.assertEqual([len(s) for s in seen], [150, 150])
        with open(os.path.join(new, "server.crt")) as f:
            new_print = hashlib.sha256(ssl.PEM_cert_to_DER_cert(f.read())).hexdigest()
        self.assertNotEqual(old_print, new_print)
        # Each client saw the old certificate, then (once it had changed) only the new one.
        changed = 0
        for s in seen:
            self.assertEqual(s[0], old_print)
            if new_print in s:
                first_new = s.index(new_print)
                self.assertEqual(set(s[:first_new]), {old_print})
                self.assertEqual(set(s[first_new:]), {new_print})
                changed += 1
        self.assertGreater(changed, 0, "no request saw the new certificate while the load ran")
        # A fresh connection now sees the new certificate; the old connection still works.
        self.assertTrue(self.d.wait_for_log("SIGHUP: TLS certificate"), self.d.log())
        conn = self.d.https(ctx)
        conn.request("GET", "/healthz")
        conn.getresponse().read()
        self.assertEqual(fingerprint(conn), new_print)
        conn.close()
        kept.request("GET", "/healthz")
        r = kept.getresponse()
        r.read()
        self.assertEqual(r.status, 200)
        self.assertEqual(fingerprint(kept), old_print)
        kept.close()

    def test_sighup_with_a_broken_key_keeps_the_old_certificate(self):
        self.d.start()
        with open(os.path.join(self.d.certs, "server.crt"), "rb") as f:
            old_print = hashlib.sha256(ssl.PEM_cert_to_DER_cert(f.read().decode())).hexdigest()
        with open(os.path.join(self.d.certs, "server.key"), "w") as f:
            f.write("not a key\n")
        self.d.proc.send_signal(signal.SIGHUP)
        self.assertTrue(self.d.wait_for_log("SIGHUP: TLS reload failed"), self.d.log())
        self.assertIn("is not a PEM private key", self.d.log())
        conn = self.d.https()
        conn.request("GET", "/healthz")
        r = conn.getresponse()
        r.read()
        self.assertEqual(r.status, 200)
        self.assertEqual(fingerprint(conn), old_print)
        conn.close()
        self.assertIsNone(self.d.proc.poll())

    def test_redirect_listener(self):
        rport = free_port()
        self.d.start("--redirect-port", str(rport))
        conn = http.client.HTTPConnection("127.0.0.1", rport, timeout=10)
        conn.request("GET", "/inspector/x?phone=%2B7701", headers={"Host": f"127.0.0.1:{rport}"})
        r = conn.getresponse()
        r.read()
        self.assertEqual(r.status, 308)
        self.assertEqual(r.getheader("Location"),
                         f"https://127.0.0.1:{self.d.port}/inspector/x?phone=%2B7701")
        self.assertIsNone(r.getheader("Strict-Transport-Security"))
        conn.request("POST", "/api/v1/auth/login", body="{}",
                     headers={"Host": "herdpass.lan", "Content-Type": "application/json"})
        r = conn.getresponse()
        r.read()
        self.assertEqual(r.status, 308)
        self.assertEqual(r.getheader("Location"), f"https://herdpass.lan:{self.d.port}/api/v1/auth/login")

    def test_bad_certificate_or_key_is_a_clear_error(self):
        certs = self.d.certs
        other = self.d.self_signed("127.0.0.1", "other")
        garbage = os.path.join(self.d.dir, "garbage.pem")
        with open(garbage, "w") as f:
            f.write("hello\n")
        cases = [
            (os.path.join(certs, "missing.crt"), os.path.join(certs, "server.key"),
             "tls-cert: cannot read the TLS certificate " + os.path.join(certs, "missing.crt")),
            (os.path.join(certs, "server.crt"), os.path.join(certs, "missing.key"),
             "tls-key: cannot read the TLS key " + os.path.join(certs, "missing.key")),
            (garbage, os.path.join(certs, "server.key"),
             f"tls-cert: the TLS certificate {garbage} is not a PEM certificate"),
            (os.path.join(certs, "server.crt"), garbage,
             f"tls-key: the TLS key {garbage} is not a PEM private key"),
            (os.path.join(certs, "server.crt"), os.path.join(other, "server.key"),
             f"tls-key: the TLS key {os.path.join(other, 'server.key')} is not the key of the "
             f"certificate {os.path.join(certs, 'server.crt')}"),
        ]
        for cert, key, message in cases:
            r = run(["serve", "--data", self.d.data, "--listen", f"127.0.0.1:{free_port()}",
                     "--tls-cert", cert, "--tls-key", key])
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn(message, r.stderr)
        r = run(["serve", "--data", self.d.data, "--listen", f"127.0.0.1:{free_port()}",
                 "--tls-cert", os.path.join(certs, "server.crt")])
        self.assertEqual(r.returncode, 2)
        self.assertIn("tls-key: TLS needs both", r.stderr)
        r = run(["serve", "--data", self.d.data, "--listen", f"127.0.0.1:{free_port()}",
                 "--redirect-port", str(free_port())])
        self.assertEqual(r.returncode, 2)
        self.assertIn("redirect-port: --redirect-port redirects to HTTPS", r.stderr)

    def test_self_signed_refuses_to_overwrite_and_bad_host(self):
        r = run(["tls", "self-signed", "--host", "127.0.0.1", "--out", self.d.certs])
        self.assertEqual(r.returncode, 1)
        self.assertIn("ca.crt exists already", r.stderr)
        r = run(["tls", "self-signed", "--host", "bad host/", "--out",
                 os.path.join(self.d.dir, "x")])
        self.assertEqual(r.returncode, 2)
        self.assertIn("host: --host must be a DNS name or an IP address", r.stderr)
        # The CA is a CA, the server certificate is not, and the CA signed it.
        v = subprocess.run(["openssl", "verify", "-CAfile", os.path.join(self.d.certs, "ca.crt"),
                            "-purpose", "sslserver", os.path.join(self.d.certs, "server.crt")],
                           capture_output=True, text=True)
        self.assertEqual(v.returncode, 0, v.stdout + v.stderr)
        self.assertEqual(os.stat(os.path.join(self.d.certs, "server.key")).st_mode & 0o777, 0o600)
        self.assertEqual(os.stat(os.path.join(self.d.certs, "ca.key")).st_mode & 0o777, 0o600)


class CompressionTest(unittest.TestCase):
    """gzip both ways, on plain HTTP (the same server code serves TLS)."""

    @classmethod
    def setUpClass(cls):
        cls.d = Deployment()
        r = run(["user", "add", "--data", cls.d.data, "--username", "vac", "--role", "vaccinator"],
                stdin="vaccinator-password-1\n")
        assert r.returncode == 0, r.stderr
        cls.d.start(tls=False)
        cls.token = cls.call("POST", "/api/v1/auth/login",
                             json.dumps({"username": "vac", "password": "vaccinator-password-1"})
                             .encode())[2]["token"]

    @classmethod
    def tearDownClass(cls):
        cls.d.close()

    @classmethod
    def call(cls, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", cls.d.port, timeout=30)
        h = {"Content-Type": "application/json"}
        if getattr(cls, "token", None):
            h["Authorization"] = "Bearer " + cls.token
        h.update(headers or {})
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        raw = r.read()
        conn.close()
        text = gzip.decompress(raw) if r.getheader("Content-Encoding") == "gzip" else raw
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        return r, raw, parsed

    def owner(self, phone):
        r, _, body = self.call("GET", "/api/v1/owners?phone=" + phone.replace("+", "%2B"))
        return r.status, body

    def test_large_response_gzipped_when_accepted(self):
        r, raw, doc = self.call("GET", "/api/v1/openapi.json", headers={"Accept-Encoding": "gzip"})
        self.assertEqual(r.status, 200)
        self.assertEqual(r.getheader("Content-Encoding"), "gzip")
        self.assertEqual(r.getheader("Vary"), "Accept-Encoding")
        plain_r, plain, _ = self.call("GET", "/api/v1/openapi.json")
        self.assertIsNone(plain_r.getheader("Content-Encoding"))
        self.assertEqual(plain_r.getheader("Vary"), "Accept-Encoding")
        self.assertEqual(gzip.decompress(raw), plain)
        self.assertLess(len(raw), len(plain) // 3)
        refused, _, _ = self.call("GET", "/api/v1/openapi.json",
                                  headers={"Accept-Encoding": "gzip;q=0, br"})
        self.assertIsNone(refused.getheader("Content-Encoding"))

    def test_small_response_not_gzipped(self):
        r, raw, _ = self.call("GET", "/healthz", headers={"Accept-Encoding": "gzip"})
        self.assertEqual(r.status, 200)
        self.assertLess(len(raw), 1024)
        self.assertIsNone(r.getheader("Content-Encoding"))

    def test_gzip_request_body_is_stored(self):
        body = gzip.compress(json.dumps({"phone": "+77011110001", "name": "Gzip Owner"}).encode())
        r, _, doc = self.call("POST", "/api/v1/owners", body, {"Content-Encoding": "gzip"})
        self.assertEqual(r.status, 201, doc)
        self.assertEqual(doc["phone"], "+77011110001")
        status, found = self.owner("+77011110001")
        self.assertEqual(status, 200)
        self.assertEqual(found["name"], "Gzip Owner")

    def test_gzip_bomb_is_413_and_stores_nothing(self):
        padding = " " * (2 << 20)  # 2 MiB of JSON whitespace: over the 1 MiB body limit
        text = '{"phone": "+77011110002", "name": "Bomb"' + padding + "}"
        body = gzip.compress(text.encode())
        self.assertLess(len(body), 1 << 20)
        r, _, doc = self.call("POST", "/api/v1/owners", body, {"Content-Encoding": "gzip"})
        self.assertEqual(r.status, 413)
        self.assertEqual(r.getheader("Content-Type"), "application/problem+json")
        self.assertEqual(doc["type"], "https://herdpass.org/problems/payload-too-large")
        self.assertEqual(self.owner("+77011110002")[0], 404)

    def test_broken_gzip_is_400_and_stores_nothing(self):
        body = gzip.compress(json.dumps({"phone": "+77011110003", "name": "Cut"}).encode())
        for broken in (body[:-6], body[:10] + b"\xff" * 8 + body[18:], body + b"trailing"):
            r, _, doc = self.call("POST", "/api/v1/owners", broken, {"Content-Encoding": "gzip"})
            self.assertEqual(r.status, 400)
            self.assertEqual(doc["type"], "https://herdpass.org/problems/malformed-body")
            self.assertEqual(doc["field"], "Content-Encoding")
        self.assertEqual(self.owner("+77011110003")[0], 404)

    def test_gzip_batch_stored_once(self):
        """The web app's sync batch, gzipped: created, then a duplicate when sent again."""
        record = {"id": str(uuid.uuid4()), "owner_phone": "+77011110005", "owner_name": "Batch",
                  "species": "sheep", "head_count": 12, "disease": "FMD-O",
                  "vaccine": "FMD-O-INACT", "batch_no": "LOT-2025-01", "dose_ml": 2.0,
                  "administered_on": datetime.date.today().isoformat()}
        body = gzip.compress(json.dumps({"records": [record]}).encode())
        outcomes = []
        for _ in range(2):
            r, _, doc = self.call("POST", "/api/v1/vaccinations/batch", body,
                                  {"Content-Encoding": "gzip"})
            self.assertEqual(r.status, 200, doc)
            outcomes.append(doc["results"][0]["status"])
        self.assertEqual(outcomes, ["created", "duplicate"])
        r, _, doc = self.call("GET", "/api/v1/owners?phone=%2B77011110005")
        self.assertEqual(r.status, 200)

    def test_unknown_encoding_is_415(self):
        body = json.dumps({"phone": "+77011110004", "name": "Br"}).encode()
        r, _, doc = self.call("POST", "/api/v1/owners", body, {"Content-Encoding": "br"})
        self.assertEqual(r.status, 415)
        self.assertEqual(doc["type"], "https://herdpass.org/problems/unsupported-content-encoding")
        self.assertEqual(r.getheader("Accept-Encoding"), "gzip")
        self.assertEqual(self.owner("+77011110004")[0], 404)


if __name__ == "__main__":
    unittest.main(verbosity=2)
