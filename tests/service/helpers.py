"""Constants shared by the service tests (fixtures live in conftest.py)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ADMIN_TOKEN = "test-admin-token-0123456789"
DINGTALK_SECRET = "test-dingtalk-app-secret"
SOURCE_003 = "003_f31d9fd870de6b80.txt"
