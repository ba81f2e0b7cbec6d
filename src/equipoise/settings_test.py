"""Settings for the test suite: the same settings, in test mode (ephemeral secret key).

Passwords are still hashed with Argon2, with cheaper parameters so that building personas is quick.
"""

import os

from django.contrib.auth.hashers import Argon2PasswordHasher

os.environ["EQUIPOISE_MODE"] = "test"

from equipoise.settings import *  # noqa: E402,F403


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 1024
    parallelism = 1


PASSWORD_HASHERS = ["equipoise.settings_test.QuickArgon2PasswordHasher"]
