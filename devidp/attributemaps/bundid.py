"""The development IdP's own table of BundID attribute names (OIDs, URI name format),
kept apart from the portal's so that a wrong OID on either side shows in the tests."""

URI = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"

_OIDS = {
    "bPK2": "urn:oid:1.3.6.1.4.1.25484.494450.3",
    "givenName": "urn:oid:2.5.4.42",
    "surname": "urn:oid:2.5.4.4",
    "birthdate": "urn:oid:1.2.40.0.10.2.1.1.55",
    "postalAddress": "urn:oid:2.5.4.16",
    "postalCode": "urn:oid:2.5.4.17",
    "localityName": "urn:oid:2.5.4.7",
    "country": "urn:oid:1.2.40.0.10.2.1.1.225599",
    "mail": "urn:oid:0.9.2342.19200300.100.1.3",
    "trustLevel": "urn:oid:1.2.40.0.10.2.1.1.261.94",
    "assertionProvedBy": "urn:oid:1.3.6.1.4.1.25484.494450.2",
}

MAP = {"identifier": URI, "to": dict(_OIDS), "fro": {oid: name for name, oid in _OIDS.items()}}
