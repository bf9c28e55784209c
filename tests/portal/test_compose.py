"""The docker compose stack, as compose itself reads it (`docker compose config`)."""

import os
import shutil
import subprocess
from pathlib import Path

import yaml

from core.scanning import ClamdAddress
from tests.conftest import require_service

ROOT = Path(__file__).resolve().parents[2]


def _compose_command() -> list[str] | None:
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run([docker, "compose", "version"], capture_output=True, timeout=30)
        if probe.returncode == 0:
            return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def _config() -> dict:
    command = _compose_command()
    require_service("docker compose", command is not None, "apt-get install docker-compose")
    assert command is not None
    environment = {
        "PATH": os.environ["PATH"],
        "SECRET_KEY": "s" * 64,
        "POSTGRES_PASSWORD": "Łukasz-Yılmaz–Şahin",
    }
    result = subprocess.run(
        [*command, "config"], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_compose_runs_clamav_and_the_portal_scans_through_it():
    config = _config()
    clamav = config["services"]["clamav"]
    assert clamav["image"].startswith("clamav/clamav:")
    assert "clamdcheck.sh" in clamav["healthcheck"]["test"]
    assert any("/var/lib/clamav" in str(volume) for volume in clamav["volumes"])
    assert "clamav-db" in config["volumes"]
    assert "ports" not in clamav  # clamd has no authentication: never published
    for name in ("web", "worker"):
        service = config["services"][name]
        url = service["environment"]["UPLOAD_SCAN_URL"]
        assert ClamdAddress.parse(url) == ClamdAddress(host="clamav", port=3310)
        assert service["depends_on"]["clamav"]["condition"] == "service_healthy"


def test_the_readmes_docker_compose_lines_are_enough_to_start(tmp_path):
    """README, "With docker compose": the `.env` it writes sets every variable the compose
    file requires, and the first start is followed by createsuperuser."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## With docker compose", 1)[1].split("\n## ", 1)[0]
    env_lines = section.split("cat > .env <<'EOF'\n", 1)[1].split("\nEOF\n", 1)[0]
    assert "docker compose up -d --build" in section
    assert "python manage.py createsuperuser" in section
    env_file = tmp_path / "readme.env"
    env_file.write_text(env_lines + "\n", encoding="utf-8")
    command = _compose_command()
    require_service("docker compose", command is not None, "apt-get install docker-compose")
    assert command is not None

    result = subprocess.run(
        [*command, "--env-file", str(env_file), "config"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    web = yaml.safe_load(result.stdout)["services"]["web"]["environment"]
    assert web["ALLOWED_HOSTS"] == "localhost"
