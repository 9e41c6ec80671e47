#!/usr/bin/env bash
# Installs the third-party tools the test suite runs for real (Debian + PyPI).
# Idempotent: skips what is already present. Safe to run as root on a fresh machine.
set -euo pipefail

need=()
have() { command -v "$1" >/dev/null 2>&1; }
have swaks || need+=(swaks)
dpkg -s libnet-ssleay-perl >/dev/null 2>&1 || need+=(libnet-ssleay-perl libio-socket-ssl-perl)
have postfix || need+=(postfix)
have smtp-source || need+=(postfix)
have testssl || need+=(testssl.sh)
have sslscan || need+=(sslscan)
have ss || need+=(iproute2)
have strace || need+=(strace)
have script || need+=(bsdutils)
have bc || need+=(bc)
have openssl || need+=(openssl)
have gpg || need+=(gnupg)
[ -x /usr/sbin/opendkim ] || need+=(opendkim)             # `opendkim -t` verifies DKIM offline (TestPublicKeys)
[ -x /usr/sbin/opendkim-testmsg ] || need+=(opendkim-tools)
# The build itself needs only the Rust toolchain and build-essential (OpenSSL is vendored,
# OpenPGP uses Sequoia's pure-Rust backend): no pkg-config, libssl-dev or libclang-dev here.
# systemd-analyze checks deploy/systemd/sealgate.service offline (verify, security).
have systemd-analyze || need+=(systemd)
# promtool (check metrics, check/test rules) and amtool (check-config) for deploy/prometheus/.
have promtool || need+=(prometheus)
have prometheus || need+=(prometheus)                # tests/scenarios/dashboard.rs runs a real one
have amtool || need+=(prometheus-alertmanager)
# DNSSEC test zone for DANE (sealgate-tlspolicy): nsd serves it, ldns-signzone signs it.
{ have nsd || [ -x /usr/sbin/nsd ]; } || need+=(nsd)
have ldns-signzone || need+=(ldnsutils)
# Second DLP corpus (rules/corpus/second): OCR check of its scanned PDFs, poppler to list/extract
# their images, and the DejaVu font the scans are rendered with.
have tesseract || need+=(tesseract-ocr)
{ have pdftotext && have pdfimages; } || need+=(poppler-utils)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
# The secure portal is tested in a real browser: Debian's Chromium driven by Playwright.
[ -x /usr/bin/chromium ] || need+=(chromium)
# The portal's HTTPS listener is checked with curl trusting the test CA.
have curl || need+=(curl)
# The container image (deploy/container/build-image.sh, tests/scenarios/image.rs): buildah builds
# it from scratch without a daemon, podman runs it on runc; readelf proves the binary static.
have buildah || need+=(buildah)
have podman || need+=(podman)
{ have runc || [ -x /usr/sbin/runc ]; } || need+=(runc)
have readelf || need+=(binutils)

if [ ${#need[@]} -gt 0 ]; then
    echo "installing Debian packages: ${need[*]}" >&2
    apt-get update -qq >/dev/null
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

py_need=()
python3 -c 'import dkim' 2>/dev/null || py_need+=(dkimpy)
python3 -c 'import nacl' 2>/dev/null || py_need+=(PyNaCl)   # dkimpy's Ed25519 (RFC 8463) support
python3 -c 'import aiosmtpd' 2>/dev/null || py_need+=(aiosmtpd)
python3 -c 'import stdnum' 2>/dev/null || py_need+=(python-stdnum)
python3 -c 'import faker' 2>/dev/null || py_need+=(Faker)
python3 -c 'import jsonschema' 2>/dev/null || py_need+=(jsonschema)
# `connect verify`'s OAuth stand-in checks the Google assertion's RS256 signature.
python3 -c 'import cryptography' 2>/dev/null || py_need+=(cryptography)
# Second DLP corpus: real XLSX files, rendered scans, image-only PDFs.
python3 -c 'import openpyxl' 2>/dev/null || py_need+=(openpyxl)
python3 -c 'import PIL' 2>/dev/null || py_need+=(Pillow)
python3 -c 'import img2pdf' 2>/dev/null || py_need+=(img2pdf)
python3 -c 'import xlwt' 2>/dev/null || py_need+=(xlwt)         # legacy OLE2 .xls attachments
# TLS-RPT reports are read back by parsedmarc's SMTP TLS report parser.
python3 -c 'import parsedmarc' 2>/dev/null || py_need+=(parsedmarc)
# Portal browser tests: Playwright drives /usr/bin/chromium (its own browser download is not
# used); axe-playwright-python ships axe-core's axe.min.js.
python3 -c 'import playwright' 2>/dev/null || py_need+=(playwright)
python3 -c 'import axe_playwright_python' 2>/dev/null || py_need+=(axe-playwright-python)
# tests/bench/portal-load.py (the portal benchmark's readers) speaks HTTP with aiohttp.
python3 -c 'import aiohttp' 2>/dev/null || py_need+=(aiohttp)
# The Helm chart (tests/chart, tests/scenarios/helm_chart.rs): Helm 4's SDK (its C library is
# in the wheel; no helm binary, nothing downloaded at run time), Kubernetes schemas 1.30+, yamllint.
python3 -c 'import helm_python' 2>/dev/null || py_need+=(helm-python-sdk)
python3 -c 'import kubernetes_validate' 2>/dev/null || py_need+=(kubernetes-validate)
python3 -c 'import yaml' 2>/dev/null || py_need+=(PyYAML)
python3 -c 'import pytest' 2>/dev/null || py_need+=(pytest)
have yamllint || py_need+=(yamllint)
if [ ${#py_need[@]} -gt 0 ]; then
    echo "installing PyPI packages: ${py_need[*]}" >&2
    python3 -m pip install -q "${py_need[@]}" >/dev/null
fi

# checkov scans the rendered chart; it pins many packages, so it lives in its own virtualenv.
if [ ! -x /opt/sealgate-checkov/bin/checkov ]; then
    echo "installing checkov into /opt/sealgate-checkov" >&2
    python3 -m venv /opt/sealgate-checkov
    /opt/sealgate-checkov/bin/python -m pip install -q checkov >/dev/null
fi
