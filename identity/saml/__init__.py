"""The SAML 2.0 service provider on pysaml2 (docs/identity.md): configuration from the
settings, BundID's request extension and attribute profile, the replay store."""
