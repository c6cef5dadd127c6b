"""The Rasa project validates cleanly and its test stories pass with the trained model."""
import re
import subprocess

from servers import ROOT, current_model

RASA = str(ROOT / ".venv-rasa/bin/rasa")


def _run(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "2",
           "SQLALCHEMY_SILENCE_UBER_WARNING": "1", "HOME": str(ROOT / "build")}
    return subprocess.run([RASA, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


# Responses Rasa's validator cannot see being used: forms utter utter_ask_<slot> themselves, and
# these are uttered by custom actions (dispatcher.utter_message(response=...)).
USED_BY_CODE = {"utter_booking_stopped", "utter_case_stopped"}


def test_rasa_data_validate_is_clean():
    result = _run("data", "validate", "--config", "bot/config.yml", "--domain", "bot/domain", "--data", "data")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    warnings = [line for line in output.splitlines() if "UserWarning" in line]
    unexpected = [w for w in warnings if not re.search(r"'(utter_ask_\w+)' is not used", w)
                  and not any(f"'{name}' is not used" in w for name in USED_BY_CODE)]
    assert not unexpected, "\n".join(unexpected)


def test_rasa_test_stories_pass(tmp_path):
    result = _run("test", "core", "--model", str(current_model()), "--stories", "tests/rasa",
                  "--endpoints", "bot/endpoints.yml", "--out", str(tmp_path), "--fail-on-prediction-errors")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
