"""Citizen identity: who a citizen is, as confirmed by BundID over SAML 2.0 (docs/identity.md).

The public API other apps use:

- ``identity.selectors.current_identity(request) -> Identity | None``
- ``identity.levels``: ``Level`` (none < low < substantial < high), ``satisfies(achieved,
  required)``, the STORK mapping and the words pages show for a level.
- ``identity.citizen.Identity``: the verified data of one sign-in.
- URLs: ``identity:login`` (``/saml2/login/?next=…&level=…``), ``identity:logout``.

Everything else in this package is the SAML machinery behind them.
"""
