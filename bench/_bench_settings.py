"""Settings for the server bench/intake.py starts: the production settings, with the bench's
URLconf (production URLs plus one bare endpoint). Chosen only through the environment of that
server (GUNICORN_CMD_ARGS=--env DJANGO_SETTINGS_MODULE=bench._bench_settings); production never
imports it."""

from gongzhi.settings import *  # noqa: F403

ROOT_URLCONF = "bench._bench_urls"
