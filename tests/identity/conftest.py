from tests.saml import devidp, saml  # noqa: F401  (fixtures)
