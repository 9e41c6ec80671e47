"""Checks of the Helm chart in helm/sealgate (run by tests/scenarios/helm_chart.rs).

Helm itself is not packaged here; the PyPI `helm-python-sdk` (Helm 4's Go SDK as a C library)
lints and renders. Each value set — the defaults and every ci/*.yaml — is linted strictly for
each Kubernetes version, rendered, validated by `kubernetes-validate --strict` for 1.30–1.35,
scanned by checkov and yamllint, and its objects asserted on. The rendered sealgate.toml goes
through the real `sealgate config check` (SEALGATE_BIN, default target/debug/sealgate).
"""

import json
import os
import pathlib
import re
import subprocess

import helm_python as helm
import kubernetes_validate
import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHART = ROOT / "helm" / "sealgate"
VALUE_SETS = {"defaults": {}} | {
    p.stem: yaml.safe_load(p.read_text()) for p in sorted((CHART / "ci").glob("*.yaml"))
}
KUBE_VERSIONS = ["1.30.0", "1.31.0", "1.32.0", "1.33.0", "1.34.0", "1.35.0"]
# Custom resources of the Prometheus Operator: kubernetes-validate has no schema for them;
# their content is asserted below instead.
CUSTOM_KINDS = {"ServiceMonitor", "PrometheusRule"}
# checkov skips, each for a reason that holds only for sets that are not production-like:
# the defaults cannot know your registry's digest, and IfNotPresent suits a tag-less trial.
# ci/production-values.yaml pins digests and pulls Always, and is scanned with no skip.
CHECKOV_SKIPS = {
    "CKV_K8S_43": "image by tag, not digest (production-values pins digests)",
    "CKV_K8S_15": "pull policy IfNotPresent (production-values uses Always)",
}
# ... and for a set that turns the NetworkPolicy off (ci/minimal-clusterip-values.yaml shows the
# option works), the check that every pod has one.
CHECKOV_SKIP_WITHOUT_POLICY = "CKV2_K8S_6"
# install-tools.sh keeps checkov in its own virtualenv (its pins would downgrade packages the
# other tests use).
CHECKOV = os.environ.get("CHECKOV", "/opt/sealgate-checkov/bin/checkov")
# yamllint: the default rules, except line length (the alert descriptions and dashboard JSON
# copied from deploy/ have lines up to ~170 characters), the document-start marker (Helm
# output has none in most templates) and sequence indentation (Helm's toYaml writes lists
# unindented under their key, the templates indent them; both are valid YAML).
YAMLLINT_CONFIG = (
    "{extends: default, rules: {line-length: {max: 200}, document-start: disable,"
    " indentation: {spaces: consistent, indent-sequences: whatever}}}"
)


def render(values, name="sg", namespace="mail"):
    return helm.Chart.load(CHART).render(values, name=name, namespace=namespace)


def objects(values):
    out = []
    for path, text in render(values).items():
        if not path.endswith(".yaml"):
            continue
        out += [d for d in yaml.safe_load_all(text) if d]
    return out


def by_kind(objs, kind):
    return [o for o in objs if o["kind"] == kind]


def merged(values):
    return helm.Chart.load(CHART).merge_values(values)


@pytest.fixture(scope="module", params=sorted(VALUE_SETS))
def value_set(request):
    return request.param, VALUE_SETS[request.param]


# --- lint and render -------------------------------------------------------------------------


@pytest.mark.parametrize("kube", KUBE_VERSIONS)
def test_lint_strict_is_clean(value_set, kube):
    _, values = value_set
    report = helm.lint(CHART, values, strict=True, kube_version=f"v{kube}")
    assert report["total_charts_linted"] == 1
    assert report["errors"] == [] and report["messages"] == [], report


def test_renders_the_expected_kinds(value_set):
    name, values = value_set
    kinds = sorted({o["kind"] for o in objects(values)})
    assert {"StatefulSet", "Service", "ConfigMap", "ServiceAccount"} <= set(kinds), kinds
    for o in objects(values):
        assert o["metadata"]["namespace"] == "mail", (name, o["kind"])


@pytest.mark.parametrize("kube", KUBE_VERSIONS)
def test_kubernetes_validate_strict(value_set, kube):
    _, values = value_set
    checked = 0
    for o in objects(values):
        if o["kind"] in CUSTOM_KINDS:
            continue
        kubernetes_validate.validate(o, kube, strict=True)
        checked += 1
    assert checked >= 6


def test_checkov_is_clean(value_set, tmp_path):
    name, values = value_set
    for i, o in enumerate(objects(values)):
        (tmp_path / f"{i:02}-{o['kind']}.yaml").write_text(yaml.safe_dump(o))
    skips = [] if name == "production-values" else sorted(CHECKOV_SKIPS)
    if not merged(values)["networkPolicy"]["enabled"]:
        skips.append(CHECKOV_SKIP_WITHOUT_POLICY)
    cmd = [CHECKOV, "-d", str(tmp_path), "--framework", "kubernetes", "--quiet",
           "--compact", "--skip-download", "--output", "json"]
    if skips:
        cmd += ["--skip-check", ",".join(skips)]
    run = subprocess.run(cmd, capture_output=True, text=True, env=os.environ | {
        "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"})
    report = json.loads(run.stdout)
    summary = report["summary"]
    failed = [(c["check_id"], c["resource"]) for c in report["results"]["failed_checks"]]
    assert summary["failed"] == 0 and failed == [], failed
    assert summary["passed"] >= 80, summary


def test_yamllint_is_clean(value_set, tmp_path):
    _, values = value_set
    files = []
    for path, text in render(values).items():
        if path.endswith(".yaml") and text.strip():
            f = tmp_path / pathlib.Path(path).name
            f.write_text(text)
            files.append(str(f))
    sources = [CHART / "Chart.yaml", CHART / "values.yaml", *sorted((CHART / "ci").glob("*.yaml"))]
    run = subprocess.run(
        ["yamllint", "-s", "-d", YAMLLINT_CONFIG, *files, *map(str, sources)],
        capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_rendered_configuration_passes_sealgate_config_check(value_set, tmp_path):
    """The real binary accepts the rendered file, with the pod's paths (the Secrets' copies
    under /run/sealgate, the spool volume) laid out in a temporary directory."""
    _, values = value_set
    (cm,) = [o for o in by_kind(objects(values), "ConfigMap") if o["metadata"]["name"].endswith("-config")]
    text = cm["data"]["sealgate.toml"]
    run_dir, spool = tmp_path / "run", tmp_path / "spool"
    spool.mkdir(mode=0o700)
    text = text.replace("/run/sealgate/", f"{run_dir}/").replace("/var/lib/sealgate", str(spool))
    for d in ("credentials", "tls", "dkim", "tenants"):
        (run_dir / d).mkdir(parents=True, mode=0o700)
    if "[smtp.tls]" in text:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=gw.example.org", "-keyout", run_dir / "tls/tls.key",
                        "-out", run_dir / "tls/tls.crt"], check=True, capture_output=True)
    conf = tmp_path / "sealgate.toml"
    conf.write_text(text)
    binary = os.environ.get("SEALGATE_BIN", str(ROOT / "target" / "debug" / "sealgate"))
    init = subprocess.run([binary, "master-key", "init", "--config", str(conf)],
                          capture_output=True, text=True)
    assert init.returncode == 0, init.stdout + init.stderr
    for tenant in re.findall(r"^\[tenants\.([A-Za-z0-9_-]+)\]$", text, re.M):
        if f"{run_dir}/tenants/{tenant}.token" in text:
            subprocess.run([binary, "tenant", "token", tenant, "--config", str(conf)],
                           check=True, capture_output=True)
    run = subprocess.run([binary, "config", "check", str(conf)], capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stdout + run.stderr


# --- the objects -----------------------------------------------------------------------------


def test_no_secret_is_written_by_the_chart(value_set):
    _, values = value_set
    objs = objects(values)
    assert by_kind(objs, "Secret") == []
    (sts,) = by_kind(objs, "StatefulSet")
    pod = sts["spec"]["template"]["spec"]
    for c in pod["containers"] + pod["initContainers"]:
        assert "env" not in c and "envFrom" not in c, c["name"]
    secret_volumes = [v["secret"]["secretName"] for v in pod["volumes"] if "secret" in v]
    m = merged(values)["secrets"]
    named = {s["existingSecret"] for s in m.values() if s["existingSecret"]}
    assert set(secret_volumes) == named
    # No key material inline: no PEM key, no master-key line (`<id> <64 hex digits>`).
    text = "\n".join(render(values).values())
    assert "PRIVATE KEY" not in text
    assert not re.search(r"(?m)^\s*[A-Za-z0-9._-]+ [0-9a-f]{64}( current)?\s*$", text)


def test_pod_security(value_set):
    _, values = value_set
    (sts,) = by_kind(objects(values), "StatefulSet")
    pod = sts["spec"]["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] >= 10000
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    for c in pod["containers"] + pod["initContainers"]:
        sc = c["securityContext"]
        assert sc["readOnlyRootFilesystem"] is True, c["name"]
        assert sc["allowPrivilegeEscalation"] is False, c["name"]
        assert sc["capabilities"] == {"drop": ["ALL"]}, c["name"]
        assert sc["seccompProfile"] == {"type": "RuntimeDefault"}, c["name"]
        assert "limits" in c["resources"] and "requests" in c["resources"], c["name"]
    (sa,) = by_kind(objects(values), "ServiceAccount")
    assert sa["automountServiceAccountToken"] is False


def test_probes_drain_and_spool_volume(value_set):
    _, values = value_set
    (sts,) = by_kind(objects(values), "StatefulSet")
    m = merged(values)
    (gw,) = sts["spec"]["template"]["spec"]["containers"]
    assert gw["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "admin"}
    assert gw["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "admin"}
    assert gw["startupProbe"]["httpGet"]["path"] == "/healthz"
    grace = sts["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    assert grace > m["config"]["drainTimeoutSeconds"]
    (cm,) = [o for o in by_kind(objects(values), "ConfigMap") if o["metadata"]["name"].endswith("-config")]
    assert f'drain_timeout = "{m["config"]["drainTimeoutSeconds"]}s"' in cm["data"]["sealgate.toml"]
    assert sts["spec"]["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Retain", "whenScaled": "Retain"}
    (claim,) = sts["spec"]["volumeClaimTemplates"]
    assert claim["metadata"]["name"] == "spool"
    assert {"name": "spool", "mountPath": "/var/lib/sealgate"} in gw["volumeMounts"]
    anti = sts["spec"]["template"]["spec"]["affinity"]["podAntiAffinity"]
    key = "requiredDuringSchedulingIgnoredDuringExecution" if m["podAntiAffinity"] == "hard" \
        else "preferredDuringSchedulingIgnoredDuringExecution"
    assert list(anti) == [key]


def test_pdb_exactly_when_more_than_one_replica(value_set):
    _, values = value_set
    objs = objects(values)
    replicas = merged(values)["replicas"]
    assert by_kind(objs, "StatefulSet")[0]["spec"]["replicas"] == replicas
    assert len(by_kind(objs, "PodDisruptionBudget")) == (1 if replicas > 1 else 0)
    assert len(by_kind(objects(values | {"replicas": 3}), "PodDisruptionBudget")) == 1
    assert by_kind(objects(values | {"replicas": 1}), "PodDisruptionBudget") == []


def test_services(value_set):
    _, values = value_set
    m = merged(values)
    svcs = {o["metadata"]["name"].removeprefix("sg-sealgate-"): o["spec"] for o in by_kind(objects(values), "Service")}
    assert svcs["admin"]["type"] == "ClusterIP"
    assert svcs["headless"]["clusterIP"] == "None"
    smtp = svcs["smtp"]
    if smtp["type"] != "ClusterIP":
        want = "Cluster" if m["smtp"]["proxyProtocolFrom"] else "Local"
        assert smtp["externalTrafficPolicy"] == want
    assert ("portal" in svcs) == m["portal"]["enabled"]
    (cm,) = [o for o in by_kind(objects(values), "ConfigMap") if o["metadata"]["name"].endswith("-config")]
    conf = cm["data"]["sealgate.toml"]
    assert ("[portal]" in conf) == m["portal"]["enabled"]
    assert ("proxy_protocol_from" in conf) == bool(m["smtp"]["proxyProtocolFrom"])


def test_network_policy(value_set):
    _, values = value_set
    m = merged(values)
    pols = by_kind(objects(values), "NetworkPolicy")
    if not m["networkPolicy"]["enabled"]:
        assert pols == []
        return
    (pol,) = pols
    assert pol["spec"]["policyTypes"] == ["Ingress", "Egress"]
    admin = [r for r in pol["spec"]["ingress"] if r["ports"][0]["port"] == "admin"]
    assert admin and admin[0]["from"] == m["networkPolicy"]["adminFrom"]


def test_monitoring_objects_come_from_deploy(value_set):
    _, values = value_set
    m = merged(values)["metrics"]
    objs = objects(values)
    rules = by_kind(objs, "PrometheusRule")
    assert len(rules) == (1 if m["prometheusRule"]["enabled"] else 0)
    alerts = yaml.safe_load((ROOT / "deploy/prometheus/alerts.yml").read_text())
    for r in rules:
        assert r["spec"] == alerts
    monitors = by_kind(objs, "ServiceMonitor")
    assert len(monitors) == (1 if m["serviceMonitor"]["enabled"] else 0)
    for sm in monitors:
        (ep,) = sm["spec"]["endpoints"]
        assert ep["port"] == "admin" and ep["path"] == "/metrics"
        assert {"targetLabel": "job", "replacement": "sealgate"} in ep["relabelings"]
    boards = [o for o in by_kind(objs, "ConfigMap") if o["metadata"]["name"].endswith("-dashboard")]
    assert len(boards) == (1 if m["dashboard"]["enabled"] else 0)
    for b in boards:
        assert json.loads(b["data"]["sealgate.json"]) == json.loads((ROOT / "deploy/grafana/sealgate.json").read_text())


def test_chart_files_are_exact_copies_of_deploy():
    pairs = {
        "files/alerts.yml": "deploy/prometheus/alerts.yml",
        "files/sealgate-dashboard.json": "deploy/grafana/sealgate.json",
    }
    for copy, source in pairs.items():
        assert (CHART / copy).read_bytes() == (ROOT / source).read_bytes(), (
            f"helm/sealgate/{copy} differs from {source}: cp {source} helm/sealgate/{copy}")


# --- values schema ---------------------------------------------------------------------------


@pytest.mark.parametrize("values, where", [
    ({"replica": 2}, "additional properties 'replica'"),
    ({"persistence": {"sise": "1Gi"}}, "'/persistence'"),
    ({"metrics": {"serviceMonitor": {"enable": True}}}, "'/metrics/serviceMonitor'"),
    ({"secrets": {"masterKey": {"existingSecret": ""}}}, "'/secrets/masterKey/existingSecret'"),
    ({"podAntiAffinity": "sometimes"}, "'/podAntiAffinity'"),
])
def test_misspelt_or_bad_values_are_rejected(values, where):
    with pytest.raises(helm.HelmValuesError) as err:
        render(values)
    assert where in str(err.value)
    report = helm.lint(CHART, values, strict=True)
    assert any(where in e for e in report["errors"]), report


def schema_objects(node, path=""):
    if node.get("type") == "object":
        yield path, node
        for k, v in node.get("properties", {}).items():
            yield from schema_objects(v, f"{path}.{k}" if path else k)
    if node.get("type") == "array" and isinstance(node.get("items"), dict):
        yield from schema_objects(node["items"], f"{path}[]")


def test_schema_rejects_unknown_keys_at_every_level():
    schema = json.loads((CHART / "values.schema.json").read_text())
    seen = 0
    for path, node in schema_objects(schema):
        extra = node.get("additionalProperties")
        if "properties" in node:
            assert extra is False, path
        else:
            # A map (labels, annotations, selectors): its keys are free, its values strings.
            assert extra == {"type": "string"}, path
        seen += 1
    assert seen > 30


# --- README ----------------------------------------------------------------------------------


def schema_leaves(node, path=""):
    props = node.get("properties")
    if node.get("type") == "object" and props:
        for k, v in props.items():
            yield from schema_leaves(v, f"{path}.{k}" if path else k)
    else:
        yield path, node


def test_readme_values_table_matches_the_schema_and_defaults():
    schema = json.loads((CHART / "values.schema.json").read_text())
    defaults = yaml.safe_load((CHART / "values.yaml").read_text())
    rows = {}
    for line in (ROOT / "helm" / "README.md").read_text().splitlines():
        m = re.match(r"^\| `([^`]+)` \| ([^|]+) \| `(.*)` \| (.+) \|$", line)
        if m:
            rows[m.group(1)] = (m.group(2).strip(), m.group(3))
    leaves = dict(schema_leaves(schema))
    assert sorted(rows) == sorted(leaves), set(rows) ^ set(leaves)
    for key, (typ, default) in rows.items():
        node = leaves[key]
        assert typ == node.get("type", "string"), key
        value = defaults
        for part in key.split("."):
            value = value[part]
        assert json.loads(default) == value, key
