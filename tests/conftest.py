"""Configuration every test file shares: pytest-copie renders this template."""

from __future__ import annotations

import pytest
from support import TEMPLATE_ROOT


def pytest_configure(config: pytest.Config) -> None:
    # pytest-copie's `copie` fixture renders the template named by --template;
    # default it to this repository so `pytest` needs no extra option.
    if getattr(config.option, "template", None) in (None, ""):
        config.option.template = str(TEMPLATE_ROOT)
