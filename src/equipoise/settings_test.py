"""Settings for the test suite: the same settings, in test mode (ephemeral secret key)."""

import os

os.environ["EQUIPOISE_MODE"] = "test"

from equipoise.settings import *  # noqa: E402,F403
