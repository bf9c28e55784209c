"""pysaml2 attribute map: the names BundID gives its attributes (URI name format, OIDs) and
the short names the portal reads them by (docs/identity.md, "Attributes")."""

URI = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"

_NAMES = {
    "urn:oid:1.3.6.1.4.1.25484.494450.3": "bPK2",
    "urn:oid:2.5.4.42": "givenName",
    "urn:oid:2.5.4.4": "surname",
    "urn:oid:1.2.40.0.10.2.1.1.55": "birthdate",
    "urn:oid:2.5.4.16": "postalAddress",
    "urn:oid:2.5.4.17": "postalCode",
    "urn:oid:2.5.4.7": "localityName",
    "urn:oid:1.2.40.0.10.2.1.1.225599": "country",
    "urn:oid:0.9.2342.19200300.100.1.3": "mail",
    "urn:oid:1.2.40.0.10.2.1.1.261.94": "trustLevel",
    "urn:oid:1.3.6.1.4.1.25484.494450.2": "assertionProvedBy",
}

MAP = {
    "identifier": URI,
    "fro": dict(_NAMES),
    "to": {short: oid for oid, short in _NAMES.items()},
}
