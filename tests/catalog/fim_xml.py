"""Small XDatenfelder messages built in tests, for cases the two fixture files do not show."""

NAMESPACES = {
    "2.0": "urn:xoev-de:fim:standard:xdatenfelder_2",
    "3.0.0": "urn:xoev-de:fim:standard:xdatenfelder_3.0.0",
}


def field(
    fim_id: str,
    name: str,
    *,
    feldart: str = "input",
    datentyp: str = "text",
    anzahl: str = "1:1",
    extra: str = "",
    rules: str = "",
) -> str:
    return f"""<xdf:struktur><xdf:anzahl>{anzahl}</xdf:anzahl><xdf:enthaelt><xdf:datenfeld>
      <xdf:identifikation><xdf:id>{fim_id}</xdf:id><xdf:version>1.0.0</xdf:version></xdf:identifikation>
      <xdf:name>{name}</xdf:name>
      <xdf:bezeichnungEingabe>{name}</xdf:bezeichnungEingabe>
      <xdf:feldart><code>{feldart}</code></xdf:feldart>
      <xdf:datentyp><code>{datentyp}</code></xdf:datentyp>
      {extra}{rules}
    </xdf:datenfeld></xdf:enthaelt></xdf:struktur>"""


def group(fim_id: str, name: str, *children: str, anzahl: str = "1:1", extra: str = "") -> str:
    return f"""<xdf:struktur><xdf:anzahl>{anzahl}</xdf:anzahl><xdf:enthaelt><xdf:datenfeldgruppe>
      <xdf:identifikation><xdf:id>{fim_id}</xdf:id><xdf:version>1.0.0</xdf:version></xdf:identifikation>
      <xdf:name>{name}</xdf:name>
      <xdf:bezeichnungEingabe>{name}</xdf:bezeichnungEingabe>
      {extra}{"".join(children)}
    </xdf:datenfeldgruppe></xdf:enthaelt></xdf:struktur>"""


def rule(fim_id: str, text: str, *, standard: str = "3.0.0", script: str = "") -> str:
    text_tag = "freitextRegel" if standard == "3.0.0" else "definition"
    script_tag = "skript" if standard == "3.0.0" else "script"
    script_xml = f"<xdf:{script_tag}>{script}</xdf:{script_tag}>" if script else ""
    return f"""<xdf:regel>
      <xdf:identifikation><xdf:id>{fim_id}</xdf:id><xdf:version>1.0.0</xdf:version></xdf:identifikation>
      <xdf:name>Regel {fim_id}</xdf:name>
      <xdf:{text_tag}>{text}</xdf:{text_tag}>{script_xml}
    </xdf:regel>"""


def values(*pairs: tuple[str, str]) -> str:
    inner = "".join(
        f"<xdf:wert><xdf:code>{code}</xdf:code><xdf:name>{name}</xdf:name></xdf:wert>"
        for code, name in pairs
    )
    return f"<xdf:werte>{inner}</xdf:werte>"


def schema(*children: str, rules: str = "", standard: str = "3.0.0") -> bytes:
    label = "bezeichnung" if standard == "3.0.0" else "bezeichnungEingabe"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf="{NAMESPACES[standard]}">
  <xdf:stammdatenschema>
    <xdf:identifikation><xdf:id>S99000001</xdf:id><xdf:version>1.0.0</xdf:version></xdf:identifikation>
    <xdf:name>Testschema</xdf:name>
    <xdf:{label}>Testantrag</xdf:{label}>
    {rules}
    {"".join(children)}
  </xdf:stammdatenschema>
</xdf:xdatenfelder.stammdatenschema.0102>""".encode()
