"""Finding a service the way residents type it (docs/architecture.md, "Service search").

A query and a service are compared in one folded spelling (`fold`): lower case, accents
off, umlauts and their transliterations alike (ü, ue and u are one letter; ß is ss), so
"fuehrungszeugnis", "fuhrungszeugnis" and "Führungszeugnis" are the same word. A service
is found by its names (German and English), its synonyms (`ServiceDefinition.synonyms`,
e.g. "Ummeldung" for registering an address) and its description.

PostgreSQL: full-text search with the German stemmer over the folded text (`kp_fold`, a SQL
function of migration catalog.0002 built on the `unaccent` extension), names and synonyms
weighted above the description, ranked with `ts_rank`; every word a prefix, so "hund"
finds "Hundesteuer". A service whose folded text merely contains every word is found too
(German compounds: "steuer" in "Hundesteuer"), ranked after the stemmed matches.
Other databases (SQLite): the same folding and the same containment in Python, scored
names and synonyms over description."""

from __future__ import annotations

import re
import unicodedata

from django.db import connection

from catalog.selectors import Offer

# What unaccent maps but Unicode's decomposition does not (letters of their own).
_LETTERS = str.maketrans(
    {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "ı": "i", "þ": "th"}
)
_WORD = re.compile(r"[a-z0-9]+")
MAX_WORDS = 8


def fold(text: str) -> str:
    """`text` in the spelling searches compare: lower case without accents, ä/ae → a,
    ö/oe → o, ü/ue → u, ß → ss. The same as `kp_fold` in PostgreSQL."""
    text = text.casefold().translate(_LETTERS)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return text.replace("ae", "a").replace("oe", "o").replace("ue", "u")


def query_words(query: str) -> list[str]:
    """The words of a query, folded; punctuation is a separator."""
    return _WORD.findall(fold(query))[:MAX_WORDS]


def _texts(value: object) -> str:
    if isinstance(value, dict):
        return " ".join(str(v) for v in value.values())
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value or "")


def _python_ranked(offers: list[Offer], words: list[str]) -> list[Offer]:
    scored = []
    for offer in offers:
        service = offer.service
        name = fold(_texts(service.name))
        synonyms = fold(_texts(service.synonyms))
        description = fold(_texts(service.description))
        score = 0
        for word in words:
            hit = 3 * (word in name) + 3 * (word in synonyms) + (word in description)
            if not hit:
                break
            score += hit
        else:
            scored.append((-score, offer))
    scored.sort(key=lambda pair: pair[0])  # stable: the list's order breaks ties
    return [offer for _, offer in scored]


_FIELDS = """
    SELECT id,
      setweight(to_tsvector('german', kp_fold(concat_ws(' ', name->>'de', name->>'en'))), 'A')
      || setweight(to_tsvector('german', kp_fold(synonyms::text)), 'A')
      || setweight(to_tsvector('german',
           kp_fold(concat_ws(' ', description->>'de', description->>'en'))), 'C') AS doc,
      kp_fold(concat_ws(' ', name->>'de', name->>'en', synonyms::text,
                        description->>'de', description->>'en')) AS flat
    FROM services_servicedefinition WHERE id = ANY(%s)
"""


def _postgres_ranked(offers: list[Offer], words: list[str]) -> list[Offer]:
    tsquery = " & ".join(f"{word}:*" for word in words)
    contains = " AND ".join("strpos(flat, %s) > 0" for _ in words)
    sql = (
        f"WITH d AS ({_FIELDS}), q AS (SELECT to_tsquery('german', %s) AS q) "
        f"SELECT id, ts_rank(doc, q.q) FROM d, q "
        f"WHERE doc @@ q.q OR ({contains}) ORDER BY 2 DESC"
    )
    by_id = {offer.service.pk: offer for offer in offers}
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(by_id), tsquery, *words])
        rows = cursor.fetchall()
    position = {offer.service.pk: i for i, offer in enumerate(offers)}
    rows.sort(key=lambda row: (-row[1], position[row[0]]))
    return [by_id[pk] for pk, _ in rows]


def offers_search(offers: list[Offer], query: str) -> list[Offer]:
    """The offers that match `query`, best first (ties keep the order of `offers`); all
    offers when the query has no words."""
    words = query_words(query)
    if not words or not offers:
        return list(offers)
    if connection.vendor == "postgresql":
        return _postgres_ranked(offers, words)
    return _python_ranked(offers, words)
