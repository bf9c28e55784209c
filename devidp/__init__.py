"""A development identity provider that speaks BundID's SAML 2.0 profile (docs/identity.md).

A real SAML IdP on pysaml2's ``Server``, run as its own process beside the portal by
``make run`` and by the test suite: it verifies the portal's signed AuthnRequest (HTTP-Redirect
binding), lets the developer pick a test persona, and answers with a signed, encrypted
Response over the HTTP-POST binding. It is never part of a production deployment.

    python -m devidp keys var/saml                       # development key pairs
    python -m devidp serve --port 8001 --keys var/saml \\
        --sp-metadata http://127.0.0.1:8000/saml2/metadata/
"""
