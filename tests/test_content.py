"""The extracted content: the people, dates, footnotes and disagreements the dataset is for."""
import pytest

import words

from conftest import read_rows


def by_id(table):
    return {r["id"]: r for r in read_rows(table)}


@pytest.mark.parametrize("person, name, organization", [
    ("guillermo-lora", "Guillermo Lora", "por-masas"),
    ("juan-lechin", "Juan Lechín", "fstmb"),
    ("hugo-gonzalez-moscoso", "Hugo González Moscoso", "por-lucha-obrera"),
    ("edwin-moller", "Edwin Möller", "mnr"),
    ("tristan-marof", "Tristán Marof", "psob"),
])
def test_key_people_have_their_memberships(person, name, organization):
    assert by_id("people")[person]["name"] == name
    organizations = {m["organization_id"] for m in read_rows("memberships") if m["person_id"] == person}
    assert organization in organizations


def test_every_spelling_of_a_person_is_kept():
    moller = by_id("people")["edwin-moller"]
    spellings = moller["name_ru"] + "; " + moller["other_names"]
    assert "Мольер" in spellings and "Моллер" in spellings
    assert "Gustavo Navarro" in by_id("people")["tristan-marof"]["other_names"]


@pytest.mark.parametrize("event, date", [
    ("cob-founding-1952", "1952-04-17"),
    ("catavi-nationalization-decree-1952", "1952-10-31"),
    ("por-split-1954", "1954"),
    ("april-uprising-1952", "1952-04-09"),
    ("por-9th-congress-1952", "1952-09-24"),
])
def test_key_events_are_dated(event, date):
    assert by_id("events")[event]["start_date"] == date


def test_every_footnote_is_present_and_every_footnote_with_text_is_used():
    footnotes = read_rows("footnotes")
    assert sorted(int(f["number"]) for f in footnotes) == list(range(1, 80))
    used = {c["footnote_id"] for c in read_rows("citations")}
    assert [f["id"] for f in footnotes if f["kind"] != "missing" and f["id"] not in used] == []
    assert by_id("footnotes")["fn-79"]["kind"] == "missing"


def test_footnote_22_cites_loras_third_volume():
    footnote = by_id("footnotes")["fn-22"]
    work = by_id("sources")[footnote["source_id"]]
    assert work["volume"] == "3" and work["year"] == "1978" and "Lora" in work["author"]


def test_misprinted_year_is_corrected_and_recorded():
    footnote = by_id("footnotes")["fn-66"]
    assert footnote["source_id"] == by_id("footnotes")["fn-22"]["source_id"]
    assert "1078" in footnote["printed"] and "1078" in footnote["note"]


def test_por_founding_disagreement_is_recorded_both_ways():
    assert by_id("organizations")["por"]["founding_date"] == "1935-12"
    citations = [c for c in read_rows("citations") if c["organization_id"] == "por"]
    assert any(c["stance"] == "supports" and c["source_id"] == "en-overview" for c in citations)
    assert any(c["stance"] == "contradicts" and c["source_id"] == "ru-article" and "1936" in c["note"] for c in citations)


def test_por_masas_founding_disagreement_is_recorded_both_ways():
    assert by_id("organizations")["por-masas"]["founding_date"] == "1954"
    citations = [c for c in read_rows("citations") if c["organization_id"] == "por-masas"]
    assert any(c["stance"] == "contradicts" and c["source_id"] == "en-overview" and "1956" in c["note"] for c in citations)


def test_junta_surrender_disagreement_is_recorded():
    citations = [c for c in read_rows("citations") if c["event_id"] == "junta-surrender-1952"]
    assert {c["stance"] for c in citations} == {"supports", "contradicts"}
    assert any("12 April" in c["note"] for c in citations if c["stance"] == "contradicts")


def test_entrists_joined_the_mnr_in_1954():
    memberships = by_id("memberships")
    assert memberships["edwin-moller-mnr-member"]["start_date"] == "1954"
    relations = {(r["organization_id"], r["relation"], r["other_organization_id"]) for r in read_rows("organization_relations")}
    assert ("fraccion-obrero-leninista", "entered", "mnr") in relations
    assert ("por-masas", "split_from", "por") in relations


def described_cells(package):
    """(table, id, column, text) of every description we write: summaries and notes."""
    for resource in package["resources"]:
        for column in [f["name"] for f in resource["schema"]["fields"] if f["name"] in ("summary", "note")]:
            for row in read_rows(resource["name"]):
                if row[column]:
                    yield resource["name"], row["id"], column, row[column]


def test_no_description_shares_five_words_in_a_row_with_the_overview(package):
    overview = set(words.FINGERPRINTS.read_text().split())
    copied = [(t, i, c) for t, i, c, text in described_cells(package) if words.fingerprints(text) & overview]
    assert len(overview) > 500 and copied == []


def test_descriptions_keep_to_one_or_two_short_sentences(package):
    long = [(t, i, c, len(text)) for t, i, c, text in described_cells(package) if len(text) > 300]
    assert long == []
    fields = {(r["name"], f["name"]): f for r in package["resources"] for f in r["schema"]["fields"]}
    assert fields[("events", "summary")]["constraints"]["maxLength"] == 300  # the build refuses longer ones


@pytest.mark.parametrize("person, printed", [
    ("jorge-abelardo-ramos", "Абелардо Рамос"), ("sinforoso-rivas", "Ривас"), ("victor-paz-estenssoro", "Пас Эстенссоро"),
])
def test_names_completed_from_outside_the_texts_are_marked_and_keep_the_printed_form(person, printed):
    row = by_id("people")[person]
    assert row["name_basis"] == "editorial" and row["note"]
    assert printed in row["name_ru"] + row["other_names"]


@pytest.mark.parametrize("table, row_id, column, value", [
    ("events", "torres-overthrow-1971", "start_date", "1971?"),
    ("events", "por-leaders-exile-1971", "start_date", "1971?"),
    ("memberships", "tristan-marof-por-founder", "end_date", "1940?"),
])
def test_inferred_dates_are_qualified_and_explained(table, row_id, column, value):
    row = by_id(table)[row_id]
    assert row[column] == value and row["note"]


def test_the_reviewers_corrections_hold():
    relations = by_id("organization_relations")
    assert "prin-founded-by-mnr-left-sector" not in relations and "por-masas-allied-with-fstmb" not in relations
    assert "Quechua Indians" in by_id("organizations")["fraccion-leninista"]["summary"]
    assert "agrarian" not in by_id("citations")["991"]["note"].lower()
    expelled = [p for p in read_rows("event_participants") if p["organization_id"] == "por-lucha-obrera" and p["role"] == "expelled"]
    assert expelled == []
