#!/usr/bin/env python3
"""Lint (strict) and render the Sealgate chart without a helm binary.

    python3 helm/render.py -f my-values.yaml -n sealgate --name sealgate > rendered.yaml
    python3 helm/render.py -f my-values.yaml --config-out sealgate.toml > rendered.yaml

Uses PyPI `helm-python-sdk` (Helm 4's SDK; `pip install helm-python-sdk`). Exits non-zero
with Helm's message when the values break the schema (a misspelt key names itself) or lint
finds anything. With a real Helm, `helm lint --strict` and `helm template` do the same.
"""

import argparse
import pathlib
import sys

import helm_python as helm
import yaml

CHART = pathlib.Path(__file__).resolve().parent / "sealgate"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-f", "--values", action="append", default=[], help="values file (repeatable)")
    ap.add_argument("-n", "--namespace", default="default")
    ap.add_argument("--name", default="sealgate", help="release name")
    ap.add_argument("--config-out", help="also write the rendered sealgate.toml here")
    args = ap.parse_args()
    values: dict = {}
    for f in args.values:
        values = merge(values, yaml.safe_load(pathlib.Path(f).read_text()) or {})
    report = helm.lint(CHART, values, strict=True, namespace=args.namespace)
    if report["messages"] or report["errors"]:
        for m in report["messages"]:
            print(f"lint: {m['path']}: {m['error'].strip()}", file=sys.stderr)
        return 1
    try:
        out = helm.Chart.load(CHART).render(values, name=args.name, namespace=args.namespace)
    except helm.HelmError as e:
        print(f"render: {e}", file=sys.stderr)
        return 1
    for path in sorted(out):
        if path.endswith(".yaml") and out[path].strip():
            print(f"---\n# Source: {path}\n{out[path].strip()}")
    if args.config_out:
        config = yaml.safe_load(out["sealgate/templates/configmap.yaml"])["data"]["sealgate.toml"]
        pathlib.Path(args.config_out).write_text(config)
    return 0


def merge(base: dict, over: dict) -> dict:
    """Later values files win key by key, as with `helm -f a.yaml -f b.yaml`."""
    out = dict(base)
    for k, v in over.items():
        out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


if __name__ == "__main__":
    sys.exit(main())
