#!/usr/bin/env python3
"""HTTPS stand-in for the Microsoft identity platform + Microsoft Graph and Google OAuth +
Admin SDK, serving only the documented request and response shapes that
`sealgate connect verify` uses (the real services are unreachable from the test machine).

Usage: oauth-standin.py CONFIG.json — prints `READY <port>` once listening on 127.0.0.1.
CONFIG: cert, key (PEM), and
  m365:   {"tenant_id", "client_id", "client_secret", "domains": [[name, verified], ...]}
  google: {"client_email", "public_key" (PEM file), "admin", "domains": [[name, verified], ...]}
Every request is checked (form fields, scope, grant type, the RS256 JWT's signature and
claims, the bearer token); a wrong one gets the documented error JSON. Each handled request
is logged to stderr as `standin: METHOD PATH -> STATUS reason`.
"""
import base64, http.server, json, os, ssl, sys, time, urllib.parse
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

CFG = json.load(open(sys.argv[1]))
TOKEN = "standin-access-token-" + base64.urlsafe_b64encode(os.urandom(12)).decode()
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
GOOGLE_SCOPE = "https://www.googleapis.com/auth/admin.directory.domain.readonly"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def b64d(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


class H(http.server.BaseHTTPRequestHandler):
    def answer(self, status, body, why):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        sys.stderr.write(f"standin: {self.command} {self.path} -> {status} {why}\n")
        sys.stderr.flush()

    def log_message(self, *a):
        pass

    def form(self):
        if self.headers.get("Content-Type", "").split(";")[0] != "application/x-www-form-urlencoded":
            return None
        n = int(self.headers.get("Content-Length", "0"))
        return {k: v[0] for k, v in urllib.parse.parse_qs(self.rfile.read(n).decode()).items()}

    def do_POST(self):
        f = self.form()
        if f is None:
            return self.answer(400, {"error": "invalid_request", "error_description": "standin: not a form"}, "not a form")
        if "m365" in CFG and self.path == f"/{CFG['m365']['tenant_id']}/oauth2/v2.0/token":
            return self.ms_token(f, CFG["m365"])
        if "google" in CFG and self.path == "/token":
            return self.google_token(f, CFG["google"])
        self.answer(404, {"error": "invalid_request"}, "unknown path")

    def ms_token(self, f, c):
        # learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow
        if f.get("grant_type") != "client_credentials" or f.get("scope") != GRAPH_SCOPE:
            return self.answer(400, {"error": "invalid_request", "error_description": "AADSTS900144: The request body must contain the following parameter: 'grant_type' or 'scope'.", "error_codes": [900144]}, "grant/scope")
        if f.get("client_id") != c["client_id"]:
            return self.answer(400, {"error": "invalid_client", "error_description": f"AADSTS700016: Application with identifier '{f.get('client_id')}' was not found in the directory.", "error_codes": [700016]}, "client_id")
        if f.get("client_secret") != c["client_secret"]:
            return self.answer(401, {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.", "error_codes": [7000215]}, "secret")
        self.answer(200, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": TOKEN}, "token issued")

    def google_token(self, f, c):
        # developers.google.com/identity/protocols/oauth2/service-account#httprest
        if f.get("grant_type") != JWT_BEARER or "assertion" not in f:
            return self.answer(400, {"error": "unsupported_grant_type", "error_description": "Invalid grant_type: " + str(f.get("grant_type"))}, "grant")
        try:
            h, p, s = f["assertion"].split(".")
            header, claims = json.loads(b64d(h)), json.loads(b64d(p))
            key = serialization.load_pem_public_key(open(c["public_key"], "rb").read())
            key.verify(b64d(s), f"{h}.{p}".encode(), padding.PKCS1v15(), hashes.SHA256())
        except Exception:
            return self.answer(400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}, "signature")
        now = time.time()
        aud = f"https://127.0.0.1:{self.server.server_address[1]}/token"
        if header.get("alg") != "RS256" or claims.get("iss") != c["client_email"] or claims.get("aud") != aud \
                or claims.get("scope") != GOOGLE_SCOPE or not (claims["iat"] - 300 <= now <= claims["exp"]) \
                or claims["exp"] - claims["iat"] > 3600:
            return self.answer(400, {"error": "invalid_grant", "error_description": "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe."}, "claims")
        if claims.get("sub") != c["admin"]:
            return self.answer(400, {"error": "invalid_grant", "error_description": "Invalid email or User ID"}, "sub")
        self.answer(200, {"access_token": TOKEN, "expires_in": 3599, "token_type": "Bearer"}, "token issued")

    def do_GET(self):
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            if self.path.startswith("/v1.0/"):
                return self.answer(401, {"error": {"code": "InvalidAuthenticationToken", "message": "Access token validation failure. Invalid audience."}}, "bearer")
            return self.answer(401, {"error": {"code": 401, "message": "Request had invalid authentication credentials.", "status": "UNAUTHENTICATED"}}, "bearer")
        if "m365" in CFG and self.path == "/v1.0/domains":
            # learn.microsoft.com/graph/api/domain-list
            value = [{"authenticationType": "Managed", "id": d, "isDefault": i == 0, "isInitial": False, "isRoot": True, "isVerified": v, "supportedServices": ["Email"]} for i, (d, v) in enumerate(CFG["m365"]["domains"])]
            return self.answer(200, {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#domains", "value": value}, "domains")
        if "google" in CFG and self.path == "/admin/directory/v1/customer/my_customer/domains":
            # developers.google.com/workspace/admin/directory/reference/rest/v1/domains/list
            ds = [{"kind": "admin#directory#domain", "domainName": d, "verified": v, "isPrimary": i == 0, "creationTime": "1700000000000"} for i, (d, v) in enumerate(CFG["google"]["domains"])]
            return self.answer(200, {"kind": "admin#directory#domains", "etag": "\"x\"", "domains": ds}, "domains")
        self.answer(404, {"error": {"code": 404, "message": "Not Found"}}, "unknown path")


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.minimum_version = ssl.TLSVersion.TLSv1_2
ctx.load_cert_chain(CFG["cert"], CFG["key"])
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print(f"READY {srv.server_address[1]}", flush=True)
srv.serve_forever()
