"""Stored passwords use werkzeug's scrypt at its full work factor.

tests/conftest.py hashes the test users' passwords at a lower factor to keep the suite fast;
this test puts the app's own hashing back and reads the stored parameters.
"""

import werkzeug.security

import kb.auth.models
from kb.auth.models import User


def test_password_hash_cost(monkeypatch):
    monkeypatch.setattr(
        kb.auth.models, "generate_password_hash", werkzeug.security.generate_password_hash
    )
    user = User()
    user.set_password("lang-genoeg-wachtwoord-1")
    assert user.password_hash.startswith("scrypt:32768:8:1$")
    assert "lang-genoeg" not in user.password_hash
    assert user.check_password("lang-genoeg-wachtwoord-1")
    assert not user.check_password("lang-genoeg-wachtwoord-2")
