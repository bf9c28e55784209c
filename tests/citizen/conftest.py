from tests.saml import devidp, saml  # noqa: F401  (fixtures: the development IdP, tests/saml.py)
