"""A throwaway PKI made with the openssl CLI, shared by the TLS tests.

make_pki(d) writes into directory d:
  test-ca.pem/.key   the CA that signs everything below
  other-ca.pem/.key  a CA that signs nothing we use (for "wrong CA" cases)
  server.pem/.key    CN and SAN DNS:localhost, SAN IP:127.0.0.1, serverAuth
  client.pem/.key    CN gateway-1, clientAuth
  foreign-client.pem/.key  CN intruder, clientAuth, signed by other-ca
and returns their paths.
"""
import os
import subprocess


def openssl(*args, cwd):
    r = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, f"openssl {' '.join(args)} failed:\n{r.stderr}"


def make_ca(directory, name):
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={name}",
            "-keyout", f"{name}.key", "-out", f"{name}.pem",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            cwd=directory)
    return os.path.join(directory, f"{name}.pem")


def make_pki(d):
    ca = make_ca(d, "test-ca")
    other = make_ca(d, "other-ca")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
            "-keyout", "server.key", "-out", "server.csr", cwd=d)
    with open(os.path.join(d, "server.ext"), "w") as f:
        f.write("basicConstraints=CA:FALSE\n"
                "keyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\n"
                "subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "test-ca.pem", "-CAkey", "test-ca.key", "-CAcreateserial",
            "-days", "2", "-extfile", "server.ext", "-out", "server.pem", cwd=d)
    # A gateway's client certificate for mutual TLS, signed by the same CA.
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=gateway-1",
            "-keyout", "client.key", "-out", "client.csr", cwd=d)
    with open(os.path.join(d, "client.ext"), "w") as f:
        f.write("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n")
    openssl("x509", "-req", "-in", "client.csr", "-CA", "test-ca.pem", "-CAkey", "test-ca.key", "-CAcreateserial",
            "-days", "2", "-extfile", "client.ext", "-out", "client.pem", cwd=d)
    # The same kind of certificate from the other CA: well-formed, but not ours.
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=intruder",
            "-keyout", "foreign-client.key", "-out", "foreign-client.csr", cwd=d)
    openssl("x509", "-req", "-in", "foreign-client.csr", "-CA", "other-ca.pem", "-CAkey", "other-ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", "client.ext", "-out", "foreign-client.pem", cwd=d)
    # RabbitMQ (Erlang) reads the key file; keep it private to us anyway.
    os.chmod(os.path.join(d, "server.key"), 0o600)
    return {"dir": d, "ca": ca, "other_ca": other,
            "cert": os.path.join(d, "server.pem"), "key": os.path.join(d, "server.key"),
            "client_cert": os.path.join(d, "client.pem"), "client_key": os.path.join(d, "client.key"),
            "foreign_cert": os.path.join(d, "foreign-client.pem"), "foreign_key": os.path.join(d, "foreign-client.key")}
