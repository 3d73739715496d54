"""Messages in Dutch and English, from one catalogue.

Problems carry their message in Dutch (the site's default language), written
by many modules. Rather than thread a language through every stage, each
common message has a Dutch template here; a report recognises a message by
its template, learns its `code` and the values in it, and fills the English
template when the site's `language` is English. A message that is not in the
catalogue is shown as it is, in Dutch, with code "other".

Templates use `{name}` placeholders; a name may repeat. Every message is
"problem; what to do": the report splits on the first "; ".
"""

from __future__ import annotations

import re
from functools import lru_cache

_DATE_NL = "schrijf JJJJ-MM-DD, bijvoorbeeld 2019-10-03, of met tijd: 2019-10-03 14:00"
_DATE_EN = "write YYYY-MM-DD, for example 2019-10-03, or with a time: 2019-10-03 14:00"

# code -> (Dutch template, English template). Order matters: the first match wins,
# so more specific templates come before general ones with the same start.
CATALOG: dict[str, tuple[str, str]] = {
    # front matter and YAML
    "empty-file": (
        "het bestand is leeg; begin met front matter: ---, title: ..., ---",
        "the file is empty; start with front matter: ---, title: ..., ---",
    ),
    "no-front-matter": (
        "front matter ontbreekt: begin het bestand met een regel '---', "
        "dan 'title: ...' en sluit af met '---'",
        "front matter is missing; start the file with a line '---', "
        "then 'title: ...' and close with '---'",
    ),
    "unclosed-front-matter": (
        "de front matter die op regel 1 opent met '---' wordt nergens gesloten; "
        "zet een regel '---' onder de laatste sleutel",
        "the front matter opened with '---' on line 1 is never closed; "
        "put a line '---' below the last key",
    ),
    "not-utf8": (
        "het bestand is geen UTF-8-tekst; sla het op als UTF-8 "
        "(in de meeste editors: 'Opslaan als' > codering UTF-8)",
        "the file is not UTF-8 text; save it as UTF-8 "
        "(in most editors: 'Save as' > encoding UTF-8)",
    ),
    "yaml-tab": (
        "ongeldige YAML: er staat een tab in de inspringing; gebruik spaties",
        "invalid YAML: there is a tab in the indentation; use spaces",
    ),
    "yaml-tab-detail": (
        "ongeldige YAML: er staat een tab in de inspringing; gebruik spaties ({detail})",
        "invalid YAML: there is a tab in the indentation; use spaces ({detail})",
    ),
    "yaml-python-tag": (
        "ongeldige YAML: een tag als !!python/... is niet toegestaan; "
        "schrijf gewone tekst, lijsten of sleutels",
        "invalid YAML: a tag such as !!python/... is not allowed; write plain text, lists or keys",
    ),
    "yaml-anchor": (
        "YAML-ankers en -verwijzingen (& en *) worden niet ondersteund; schrijf de waarde voluit",
        "YAML anchors and aliases (& and *) are not supported; write the value in full",
    ),
    "not-a-mapping": (
        "de {what} moet bestaan uit regels 'sleutel: waarde', niet uit een lijst of losse tekst",
        "the {what} must consist of lines 'key: value', not of a list or loose text",
    ),
    "yaml-unclosed-quote": (
        "ongeldige YAML: een aanhalingsteken of haakje wordt niet gesloten ({detail})",
        "invalid YAML: a quote or bracket is never closed ({detail})",
    ),
    "yaml-colon-in-value": (
        "ongeldige YAML: een dubbele punt in een waarde; "
        "zet de waarde tussen aanhalingstekens ({detail})",
        "invalid YAML: a colon inside a value; put the value in quotes ({detail})",
    ),
    "yaml-missing-colon": (
        "ongeldige YAML: een regel mist de dubbele punt na de sleutel ({detail})",
        "invalid YAML: a line lacks the colon after its key ({detail})",
    ),
    "yaml-indent": (
        "ongeldige YAML: de inspringing klopt niet of een aanhalingsteken ontbreekt ({detail})",
        "invalid YAML: the indentation is wrong or a quote is missing ({detail})",
    ),
    "yaml-bad-character": (
        "ongeldige YAML: een teken dat YAML niet toestaat ({detail}); haal het weg",
        "invalid YAML: a character YAML does not allow ({detail}); remove it",
    ),
    "yaml-invalid": (
        "ongeldige YAML: {detail}; controleer aanhalingstekens, dubbele punten en inspringing",
        "invalid YAML: {detail}; check quotes, colons and indentation",
    ),
    "duplicate-key": (
        "de sleutel '{key}' staat twee keer in de {container} (eerder op regel {line}); "
        "houd er één over",
        "the key '{key}' appears twice in the {container} (earlier on line {line}); keep one",
    ),
    # page fields
    "missing-key": (
        "'{key}' ontbreekt; voeg in de front matter een regel '{key}: ...' toe",
        "'{key}' is missing; add a line '{key}: ...' to the front matter",
    ),
    "not-text": (
        "'{key}' moet tekst zijn, geen lijst of sleutels; bijvoorbeeld {key}: Mijn titel",
        "'{key}' must be text, not a list or keys; for example {key}: My title",
    ),
    "empty-key": ("'{key}' is leeg; vul een {key} in", "'{key}' is empty; fill in a {key}"),
    "not-text-list": (
        "'{key}' moet een lijst van teksten zijn, zoals {key}: [een, twee]",
        "'{key}' must be a list of texts, such as {key}: [one, two]",
    ),
    "bad-terms": (
        "'{key}' moet tekst of een lijst van teksten zijn, zoals {key}: [een, twee]",
        "'{key}' must be text or a list of texts, such as {key}: [one, two]",
    ),
    "bad-date": (
        f"'{{key}}' is geen geldige datum ('{{value}}'); {_DATE_NL}",
        f"'{{key}}' is not a valid date ('{{value}}'); {_DATE_EN}",
    ),
    "not-boolean": ("'{key}' moet true of false zijn", "'{key}' must be true or false"),
    "required-missing": (
        "sectie '{section}' vraagt '{key}', maar die ontbreekt of is leeg; "
        "vul '{key}: ...' in de front matter in",
        "section '{section}' requires '{key}', but it is missing or empty; "
        "fill in '{key}: ...' in the front matter",
    ),
    "event-start": (
        "een evenement heeft een 'start' nodig; vul in, bijvoorbeeld: start: 2019-10-03 14:00",
        "an event needs a 'start'; fill it in, for example: start: 2019-10-03 14:00",
    ),
    "event-end": (
        "'end' ligt vóór 'start'; controleer de datum en tijd van het einde",
        "'end' is before 'start'; check the date and time of the end",
    ),
    "unknown-key": (
        "onbekende sleutel '{key}' wordt genegeerd; bedoelde je '{suggestion}'?",
        "unknown key '{key}' is ignored; did you mean '{suggestion}'?",
    ),
    # references
    "unknown-author-suggest": (
        "onbekende auteur '{slug}'; bedoelde je '{suggestion}'? Bekende auteurs: {known}",
        "unknown author '{slug}'; did you mean '{suggestion}'? Known authors: {known}",
    ),
    "unknown-author": (
        "onbekende auteur '{slug}'; bekende auteurs: {known}. "
        "Gebruik een van die namen of maak een auteurspagina aan",
        "unknown author '{slug}'; known authors: {known}. "
        "Use one of those names or create an author page",
    ),
    "unknown-event-suggest": (
        "onbekend evenement '{slug}' in 'events'; bedoelde je '{suggestion}'? "
        "Bekende evenementen: {known}",
        "unknown event '{slug}' in 'events'; did you mean '{suggestion}'? Known events: {known}",
    ),
    "unknown-event": (
        "onbekend evenement '{slug}' in 'events'; bekende evenementen: {known}. "
        "Gebruik de slug (bestandsnaam zonder .md) van een evenementpagina",
        "unknown event '{slug}' in 'events'; known events: {known}. "
        "Use the slug (file name without .md) of an event page",
    ),
    "events-not-list": (
        "'events' moet een lijst van evenement-slugs zijn; bijvoorbeeld events: [{example}]",
        "'events' must be a list of event slugs; for example events: [{example}]",
    ),
    "event-unpublished": (
        "het evenement '{slug}' is nog niet gepubliceerd (concept of datum in de toekomst); "
        "de kaart verschijnt pas als het gepubliceerd is",
        "the event '{slug}' is not published yet (draft or future date); "
        "its card appears once it is published",
    ),
    "missing-link-suggest": (
        "de link '{href}' wijst naar {target}, maar dat bestand bestaat niet; "
        "bedoelde je '{suggestion}'?",
        "the link '{href}' points to {target}, but that file does not exist; "
        "did you mean '{suggestion}'?",
    ),
    "missing-link": (
        "de link '{href}' wijst naar {target}, maar dat bestand bestaat niet; "
        "controleer de bestandsnaam en de map",
        "the link '{href}' points to {target}, but that file does not exist; "
        "check the file name and the folder",
    ),
    "link-to-draft": (
        "de link '{href}' wijst naar {target}, dat een concept (draft) is; "
        "de link werkt pas als die pagina gepubliceerd is",
        "the link '{href}' points to {target}, which is a draft; "
        "the link works once that page is published",
    ),
    "link-to-future": (
        "de link '{href}' wijst naar {target}, dat nog niet gepubliceerd (datum in de toekomst) "
        "is; de link werkt pas als die pagina gepubliceerd is",
        "the link '{href}' points to {target}, which is not published yet (date in the future); "
        "the link works once that page is published",
    ),
    "missing-anchor": (
        "de link '{href}' wijst naar het kopje '#{anchor}', maar dat staat niet in {target}; "
        "bedoelde je '#{suggestion}'?",
        "the link '{href}' points to the heading '#{anchor}', which is not in {target}; "
        "did you mean '#{suggestion}'?",
    ),
    "missing-anchor-list": (
        "de link '{href}' wijst naar het kopje '#{anchor}', maar dat staat niet in {target}; "
        "kopjes daar: {known}",
        "the link '{href}' points to the heading '#{anchor}', which is not in {target}; "
        "headings there: {known}",
    ),
    "missing-file": (
        "'{src}' bestaat niet (gezocht: {target}); "
        "zet het bestand naast de pagina of verbeter de naam",
        "'{src}' does not exist (looked for: {target}); "
        "put the file beside the page or correct the name",
    ),
    "missing-file-suggest": (
        "'{src}' bestaat niet (gezocht: {target}); bedoelde je '{suggestion}'?",
        "'{src}' does not exist (looked for: {target}); did you mean '{suggestion}'?",
    ),
    "file-beside-page": (
        "'{src}' staat naast de pagina, maar de pagina staat op de site een map dieper; "
        "schrijf '{right}', of maak van de pagina een map met index.md en het bestand erin",
        "'{src}' is beside the page, but on the site the page is one folder deeper; "
        "write '{right}', or turn the page into a folder with index.md and the file in it",
    ),
    "invalid-address": (
        "'{href}' is geen geldig adres (een link of afbeelding); "
        "controleer de haakjes [ ] en de schuine strepen in het adres",
        "'{href}' is not a valid address (a link or image); "
        "check the brackets [ ] and the slashes in the address",
    ),
    "image-alt": (
        "de afbeelding '{src}' heeft geen alt-tekst; "
        "beschrijf in ![...](…) wat erop staat, voor wie de afbeelding niet ziet",
        "the image '{src}' has no alt text; "
        "describe in ![...](…) what it shows, for readers who cannot see it",
    ),
    "dead-link": (
        "de externe link '{url}' werkt niet ({status}); verbeter of verwijder de link",
        "the external link '{url}' is broken ({status}); fix or remove the link",
    ),
    "unreachable-link": (
        "de externe link '{url}' was niet bereikbaar ({status}); "
        "controleer hem later nog eens of in een browser",
        "the external link '{url}' could not be reached ({status}); "
        "check it again later or in a browser",
    ),
    "duplicate-url": (
        "het adres {url} is al in gebruik door {where}; "
        "geef een van beide een andere 'slug' of bestandsnaam",
        "the address {url} is already used by {where}; "
        "give one of them another 'slug' or file name",
    ),
    "unknown-section-suggest": (
        "de map '{name}' is geen sectie uit site.yaml; bedoelde je '{suggestion}'? "
        "Hernoem de map, of voeg '{name}: {{title: ...}}' toe onder 'sections'",
        "the folder '{name}' is not a section in site.yaml; did you mean '{suggestion}'? "
        "Rename the folder, or add '{name}: {{title: ...}}' under 'sections'",
    ),
    "unknown-section": (
        "de map '{name}' is geen sectie uit site.yaml (bekend: {known}); "
        "voeg '{name}: {{title: ...}}' toe onder 'sections' of verplaats de bestanden",
        "the folder '{name}' is not a section in site.yaml (known: {known}); "
        "add '{name}: {{title: ...}}' under 'sections' or move the files",
    ),
    # vocabulary
    "closed-value-suggest": (
        "'{value}' staat niet in de vaste lijst van '{key}'; bedoelde je '{suggestion}'?",
        "'{value}' is not in the fixed list of '{key}'; did you mean '{suggestion}'?",
    ),
    "closed-value": (
        "'{value}' staat niet in de vaste lijst van '{key}'; kies uit: {known}",
        "'{value}' is not in the fixed list of '{key}'; choose from: {known}",
    ),
    "near-duplicate": (
        "'{value}' in '{key}' lijkt op '{other}' ({where}); kies één schrijfwijze, "
        "of leg het vast met 'synonyms' in site.yaml",
        "'{value}' in '{key}' looks like '{other}' ({where}); pick one spelling, "
        "or record it with 'synonyms' in site.yaml",
    ),
    # site.yaml
    "config-unknown-key": (
        "onbekende sleutel '{name}' in een taxonomie; bedoelde je '{suggestion}'?",
        "unknown key '{name}' in a taxonomy; did you mean '{suggestion}'?",
    ),
    "config-values": (
        "'values' van taxonomie '{key}' moet een lijst van termen zijn; "
        "bijvoorbeeld values: [wonen, zorg]",
        "'values' of taxonomy '{key}' must be a list of terms; for example values: [housing, care]",
    ),
    "config-synonyms": (
        "'synonyms' van taxonomie '{key}' moet de vorm 'hoofdterm: [synoniem, ...]' hebben; "
        "bijvoorbeeld synonyms: {{daklozen: [dak- en thuislozen]}}",
        "'synonyms' of taxonomy '{key}' must have the form 'main term: [synonym, ...]'; "
        "for example synonyms: {{homeless: [rough sleepers]}}",
    ),
    "config-synonym-not-in-values": (
        "de hoofdterm '{main}' staat niet in 'values' van '{key}'; "
        "voeg hem toe aan 'values' of kies een hoofdterm uit die lijst",
        "the main term '{main}' is not in the 'values' of '{key}'; "
        "add it to 'values' or choose a main term from that list",
    ),
    "config-synonym-is-main": (
        "'{synonym}' staat als synoniem onder '{main}', maar is zelf een hoofdterm; "
        "kies: synoniem of hoofdterm",
        "'{synonym}' is listed as a synonym of '{main}', but is a main term itself; "
        "choose: synonym or main term",
    ),
    "config-synonym-twice": (
        "'{synonym}' staat als synoniem onder '{main}' en onder '{other}'; "
        "houd het bij één hoofdterm",
        "'{synonym}' is listed as a synonym of both '{main}' and '{other}'; "
        "keep it under one main term",
    ),
    "unknown-timezone": (
        "onbekende tijdzone '{zone}'; gebruik een naam als Europe/Amsterdam",
        "unknown time zone '{zone}'; use a name such as Europe/Amsterdam",
    ),
    "bad-slug": (
        "'slug' mag alleen kleine letters, cijfers en streepjes bevatten (geen / of ..); "
        "bijvoorbeeld slug: {example}",
        "'slug' may only hold lower-case letters, digits and hyphens (no / or ..); "
        "for example slug: {example}",
    ),
    "bad-alias": (
        "'{alias}' is geen bruikbaar oud adres; schrijf een pad als /oud/adres/",
        "'{alias}' is not a usable old address; write a path such as /old/address/",
    ),
    "bad-registration": (
        "'registration' moet een webadres zijn dat begint met https:// of http://",
        "'registration' must be a web address starting with https:// or http://",
    ),
    "bundle-without-index": (
        "de map '{name}' in sectie '{section}' heeft geen index.md; "
        "een paginamap (bundle) heeft een index.md nodig",
        "the folder '{name}' in section '{section}' has no index.md; "
        "a page folder (bundle) needs an index.md",
    ),
    "new-unknown-section": (
        "onbekende sectie '{section}'; {hint}",
        "unknown section '{section}'; {hint}",
    ),
    "new-exists": (
        "dit bestand bestaat al en wordt niet overschreven; kies een andere titel",
        "this file already exists and is not overwritten; choose another title",
    ),
    "template-variable": (
        "fout in template: {detail}; controleer de naam van de variabele",
        "template error: {detail}; check the name of the variable",
    ),
    "template": ("fout in template: {detail}", "template error: {detail}"),
}

# Which value of a message the caret goes under, where the last quoted word is not it.
SPOT: dict[str, str] = {
    "near-duplicate": "value",
    "closed-value": "value",
    "closed-value-suggest": "value",
    "bad-date": "value",
    "unknown-key": "key",
    "duplicate-key": "key",
    "not-text": "key",
    "not-text-list": "key",
    "bad-terms": "key",
}

# Words of the report itself.
WORDS: dict[str, tuple[str, str]] = {
    "error": ("fout", "error"),
    "warning": ("waarschuwing", "warning"),
    "errors_found": ("{errors} fout(en) gevonden", "{errors} error(s) found"),
    "warnings_found": ("{warnings} waarschuwing(en)", "{warnings} warning(s)"),
    "nothing_written": ("er is niets geschreven", "nothing was written"),
    "build_untouched": ("build/ is niet veranderd", "build/ was not changed"),
}


def _compile(template: str) -> re.Pattern[str]:
    pattern, seen = "", set()
    for literal, name in re.findall(r"((?:[^{}]|\{\{|\}\})*)(?:\{(\w+)\}|$)", template):
        pattern += re.escape(literal.replace("{{", "{").replace("}}", "}"))
        if name:
            pattern += f"(?P={name})" if name in seen else f"(?P<{name}>.*?)"
            seen.add(name)
    return re.compile(pattern, re.S)


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    return [(code, _compile(nl)) for code, (nl, _en) in CATALOG.items()]


def text(code: str, **values: object) -> str:
    """The Dutch message for `code`: what problems carry."""
    return CATALOG[code][0].format(**values)


def recognise(message: str) -> tuple[str, dict[str, str]]:
    """(code, values) of a Dutch message; ('other', {}) when it is not catalogued."""
    for code, pattern in _patterns():
        found = pattern.fullmatch(message)
        if found:
            return code, found.groupdict()
    return "other", {}


def translate(message: str, language: str) -> tuple[str, str, str | None]:
    """(code, message in `language`, the word to underline or None).

    English when asked and the message is known; otherwise as written.
    """
    code, values = recognise(message)
    spot = values.get(SPOT.get(code, ""))
    if code != "other" and language.startswith("en"):
        return code, CATALOG[code][1].format(**values), spot
    return code, message, spot


def word(key: str, language: str, **values: object) -> str:
    nl, en = WORDS[key]
    return (en if language.startswith("en") else nl).format(**values)
