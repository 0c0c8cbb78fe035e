import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from eddy_process import EddyProcess  # noqa: E402


@pytest.fixture
def eddy_factory(tmp_path):
    """Starts brokers on demand; every broker started is stopped (and checked) at teardown."""
    started = []

    def start(name="broker", overrides=None, port=None):
        broker = EddyProcess(tmp_path / name, overrides=overrides, port=port).start()
        started.append(broker)
        return broker

    yield start
    for broker in started:
        if broker.alive():
            code = broker.stop()
            assert code == 0, f"eddy exited with {code} on SIGTERM:\n{broker.log()}"


@pytest.fixture
def eddy(eddy_factory):
    return eddy_factory()


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: a long but essential test (the 100k round trips)")
