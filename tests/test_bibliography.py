"""The cited works as BibTeX and CSL-JSON from the served site (/-/works.bib, /-/works.csl.json and one work
each), parsed back with bibtexparser and citeproc-py and compared with data/sources.csv."""
import bibtexparser
import httpx
import pytest
from bibtexparser.middlewares import LatexDecodingMiddleware
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON

from conftest import read_rows
from pipeline.bibliography import ENTRY_TYPES, bibtex_entry

STYLE = "harvard-cite-them-right"  # the CSL style citeproc-py ships


@pytest.fixture(scope="module")
def works():
    return {row["id"]: row for row in read_rows("sources")}


def get(server, path):
    response = httpx.get(f"{server}{path}", timeout=30)
    assert response.status_code == 200, (path, response.text[:300])
    return response


def parse_bibtex(text, decode=True):
    """Entries by key, their values LaTeX-decoded (url is a verbatim field: read it with decode=False)."""
    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()] if decode else [])
    assert library.failed_blocks == []
    return {entry.key: entry for entry in library.entries}


def unbraced(value):
    return value[1:-1] if value.startswith("{") and value.endswith("}") else value


def test_every_classification_has_bibtex_and_csl_types(package):
    sources = next(r for r in package["resources"] if r["name"] == "sources")
    classification = next(f for f in sources["schema"]["fields"] if f["name"] == "classification")
    assert set(classification["constraints"]["enum"]) == set(ENTRY_TYPES)


def test_all_works_as_bibtex_parse_back_to_the_data(server, works):
    response = get(server, "/-/works.bib")
    assert response.headers["content-type"].startswith("application/x-bibtex")
    entries, verbatim = parse_bibtex(response.text), parse_bibtex(response.text, decode=False)
    assert set(entries) == set(works)
    for key, entry in entries.items():
        work = works[key]
        fields = {name: value for name, value in entry.fields_dict.items()}
        assert entry.entry_type == ENTRY_TYPES["journal_article" if work["classification"] == "compiled_text"
                                               and work["container_title"] else work["classification"]][0]
        assert unbraced(fields["title"].value) == work["title"]
        if work["author"]:
            assert unbraced(fields["author"].value) == work["author"]
        else:
            assert "author" not in fields
        for field, column in (("date", "year"), ("volume", "volume"), ("number", "issue")):
            assert (fields[field].value if field in fields else "") == work[column], (key, field)
        assert (verbatim[key].fields_dict["url"].value if work["url"] else None) == (work["url"] or None)


def test_each_work_has_its_own_bibtex_and_csl(server, works):
    for key in works:
        assert list(parse_bibtex(get(server, f"/-/works/{key}.bib").text)) == [key]
        assert [item["id"] for item in get(server, f"/-/works/{key}.csl.json").json()] == [key]
    for suffix in (".bib", ".csl.json"):
        missing = httpx.get(f"{server}/-/works/no-such-work{suffix}")
        assert missing.status_code == 404 and "no-such-work" in missing.text


def test_csl_json_loads_and_renders_a_bibliography_of_every_work(server, works):
    response = get(server, "/-/works.csl.json")
    assert response.headers["content-type"].startswith("application/vnd.citationstyles.csl+json")
    items = response.json()
    assert [item["id"] for item in items] == sorted(works)
    for item in items:
        work = works[item["id"]]
        assert (item["title"], item.get("URL", ""), item.get("language")) == (work["title"], work["url"], work["language"])
        assert item.get("author", []) == ([{"literal": work["author"]}] if work["author"] else [])
        if work["year"]:
            assert "-".join(f"{part:02d}" for part in item["issued"]["date-parts"][0]).startswith(work["year"][:4])
    bibliography = CitationStylesBibliography(CitationStylesStyle(STYLE, validate=False), CiteProcJSON(items), formatter.plain)
    bibliography.register(Citation([CitationItem(item["id"]) for item in items]))
    rendered = [str(entry) for entry in bibliography.bibliography()]
    assert len(rendered) == len(works)
    text = "\n".join(rendered)
    missing = [w["title"] for w in works.values() if w["title"] not in text]
    assert missing == []


def test_bibtex_special_characters_survive_the_round_trip(works):
    """TeX's special characters in a title or note are escaped, so the entry parses back to the same text."""
    title = "100% of 50$ & #1: a_b {x} ~ c \\ end"  # no ^: pylatexenc reads \textasciicircum as U+02C6
    work = {**next(iter(works.values())), "title": title, "note": title, "url": "http://example.org/a_b%20c"}
    entry = parse_bibtex(bibtex_entry(work))[work["id"]]
    assert unbraced(entry.fields_dict["title"].value) == title
    assert entry.fields_dict["annotation"].value == title
    assert parse_bibtex(bibtex_entry(work), decode=False)[work["id"]].fields_dict["url"].value == work["url"]
