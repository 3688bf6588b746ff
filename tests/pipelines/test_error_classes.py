"""The error classes a new user found on the mirror's corpus (issue 16), each on a real letter: the letter as the
build parses it (complete submission -> documents -> main letter -> structure), one assertion per field.

The letters are in tests/data/letters16/raw (the hard-case labeled set) and tests/data/cases/raw (others the
audit pointed at, tests/data/cases/README.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.conversations import pair_conversations
from pipelines.indexes import parse_form_index
from pipelines.letters import parse_letter
from pipelines.normalize import FilingSource, normalize_filing
from tests.pipelines.conversation_fixture import DATA, _raw, parse_labeled

CELLECTAR = DATA / "samples" / "staff-letter-cellectar-2017-07-31.txt"


def parsed(*accessions: str) -> tuple[dict[str, dict], list[dict]]:
    """letters rows by accession, and the comments rows, of real filings."""
    letters, _filings, comments = parse_labeled([{"accession": a, "cik": "0"} for a in accessions])
    return {row["accession_number"]: row for row in letters}, comments


def comments_of(accession: str) -> list[dict]:
    _letters, comments = parsed(accession)
    return sorted(comments, key=lambda c: c["comment_number"])


def review(*accessions: str, index: Path | None = None) -> tuple[dict[str, dict], list[dict], list[dict]]:
    """letters rows, conversations rows and comment_responses rows of real letters grouped as the build groups
    them (with the company's real index rows when given)."""
    letters, filings, comments = parse_labeled([{"accession": a, "cik": "0"} for a in accessions])
    listed = {}
    if index is not None:
        rows = parse_form_index(index.read_text())
        listed = {cik: [r for r in rows if r.cik == cik] for cik in {r.cik for r in rows}}
        for row in letters:
            row["cik"] = rows[0].cik
    filing_rows = [{"accession_number": a, **f} for a, f in filings.items()]
    tables = pair_conversations(filing_rows, letters, comments, listed)
    return {r["accession_number"]: r for r in letters}, tables["conversations"], tables["comment_responses"]


# -- extension requests that never say "extension" ---------------------------------------------------------

@pytest.mark.parametrize("accession", ["0001193125-20-077288",  # "we propose to provide you with our response by"
                                       "0001104659-25-095648",  # "will provide its responses ... no later than"
                                       "0001193125-16-763238"])  # "confirms that it will file a response by"
def test_extension_request_without_the_word_is_an_extension_request(accession: str) -> None:
    letters, _ = parsed(accession)
    assert letters[accession]["letter_kind"] == "extension_request"


def test_extension_request_does_not_count_as_the_first_response() -> None:
    # General Mills 10-K 2019: comment letter Feb 26 2020, extension request Mar 18, response Apr 1
    letters, conversations, _ = review("0000000000-20-001733", "0001193125-20-077288", "0001193125-20-084774")
    (conversation,) = conversations
    assert conversation["has_extension_request"] is True
    assert conversation["days_to_first_response"] == (letters["0001193125-20-084774"]["letter_date"]
                                                      - letters["0000000000-20-001733"]["letter_date"]).days


# -- comment / response label styles ---------------------------------------------------------------------------

def test_comment_n_and_response_n_on_their_own_lines() -> None:
    comments = comments_of("0000875320-16-000093")  # Vertex: "Comment 1" ... "Response 1"
    assert [c["comment_number"] for c in comments] == [1, 2, 3, 4, 5, 6]
    assert comments[0]["text"].startswith("We note from your response your analysis of ASC 810-10-15-17(d)")
    assert comments[0]["answer_text"].startswith("In June 2015, the Company entered into")


def test_comment_colon_response_colon_labels() -> None:
    comments = comments_of("0001193125-24-159925")  # ADM: "1." / "Comment:" / "Response:"
    assert len(comments) == 6
    assert comments[1]["answer_text"].startswith("We respectfully note the Staff’s comment.")


def test_supplemental_response_to_one_comment_starts_at_its_number() -> None:
    comments = comments_of("0001193125-24-100967")  # Aon: "a supplemental response to the Staff's comment no. 2"
    assert [c["comment_number"] for c in comments] == [2]
    assert "significance test" in comments[0]["text"]


def test_response_to_comments_given_by_telephone_is_not_an_answer_to_a_letter() -> None:
    letters, _ = parsed("0001193125-16-464982")  # Starwood: "conveyed during our February 12, 2016 telephone ..."
    assert letters["0001193125-16-464982"]["answers_oral_comments"] is True


def test_one_answer_after_several_repeated_comments_answers_each() -> None:
    # ServiceNow: repeats comments 1, 2 and 3, then "The Company acknowledges the Staff's comments and will ..."
    comments = comments_of("0001373715-22-000316")
    assert [c["answer_method"] for c in comments] == ["group", "group", "paragraph"]
    assert comments[0]["answer_text"] == comments[2]["answer_text"]


def test_response_that_numbers_no_answer_answers_the_whole_letter() -> None:
    # Lennar: a response to a one-comment letter that does not repeat it
    _letters, _conversations, pairs = review("0000000000-16-070323", "0001628280-16-014193")
    (pair,) = pairs
    assert pair["match_method"] == "whole_letter"
    assert pair["response_text"].startswith("The following are the responses of Lennar Corporation")


def test_answer_that_begins_the_company_acknowledges_that_is_kept() -> None:
    # Baker Hughes: "The Company acknowledges that it provides a list of ..." is the answer, not the old closing
    comments = comments_of("0000950103-18-011810")
    assert comments[0]["answer_text"].startswith("The Company acknowledges that it provides a list")
    assert "appropriately responded to the Staff’s comment" in comments[0]["answer_text"]


# -- lists inside answers and comments -----------------------------------------------------------------------

@pytest.mark.parametrize(("accession", "n_comments"), [
    ("0000950103-24-001146", 4),  # Capital One: answers full of ● bullets
    ("0001300514-18-000110", 1),  # Las Vegas Sands: ◦ bullets in the answer
    ("0001104659-21-144500", 4),  # Royal Caribbean: · bullets
    ("0000000000-18-013115", 4),  # Wynn: flattened, "(page 3) 4. In future filings" runs into one line
])
def test_bullets_and_lists_are_not_comments(accession: str, n_comments: int) -> None:
    letters, _ = parsed(accession)
    assert letters[accession]["n_comments"] == n_comments


def test_numbered_list_inside_an_answer_does_not_shift_the_comments() -> None:
    # Ford: answer 1 lists "1. Vehicles Subject to a Guaranteed Resale Value – We sell ..." and "2. Vehicles
    # shipped to customers by a Ford-owned delivery company – Generally, ..."; staff comment 2 comes after
    comments = comments_of("0000037996-17-000077")
    assert [c["comment_number"] for c in comments] == [1, 2, 3, 4, 5]
    assert comments[1]["text"].startswith("We note your presentation of disaggregated revenue by major source")
    assert comments[1]["heading"] == "Note 3. Revenue, page 10"
    assert "Vehicles shipped to customers by a Ford-owned delivery company" in comments[0]["answer_text"]


def test_letterhead_footer_is_not_left_inside_a_sentence() -> None:
    letters, _ = parsed("0000712515-19-000115")  # EA: the footer fell between "Discussion and" and "Analysis"
    text = letters["0000712515-19-000115"]["text_clean"]
    assert "Redwood Shores Parkway" not in text
    assert "Management’s Discussion and\nAnalysis of Financial Condition and Results of Operations, Release No." in text


# -- headings --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("accession", "number", "heading"), [
    # ADM: the letterhead's telephone number ("312-634-8100") sat above comment 2
    ("0001193125-24-228530", 2, "Note 17. Segment and Geographical Information, page 106"),
    # Ventas: a figure from the table above ("24,332") sat above comment 4
    ("0001104659-16-117760", 4, "Page 118 table — Expenses"),
    # AbbVie: a page header without its page number ("Securities and Exchange Commission" / "[●], 2022")
    ("0001104659-22-105695", 3, "General"),
    # MetLife: each page headed "Securities and Exchange Commission"; the comments continue the section above
    ("0001193125-18-215650", 2,
     "1. Business, Basis of Presentation and Summary of Significant Accounting Policies and Revisions, page 209"),
    # Las Vegas Sands: the same header under the previous page's letterhead footer; no section is named
    ("0001300514-21-000170", 1, None),
    # Electronic Arts: the letterhead footer on every page ("209 Redwood Shores Parkway, Redwood City, CA 94065 ...")
    ("0000712515-19-000115", 6, "Revenue Recognition, page 53"),
    # Vertex: the page header shortens the addressee ("Dr. Jeffrey M. Leiden" for "Dr. Jeffrey M. Leiden, M.D., Ph.D.")
    ("0000000000-16-095559", 2, "Parion Sciences, Inc., page F-19"),
    # Baker Hughes: "Page 7 <May 9, 2017>" above comment 11
    ("0001193125-17-163634", 11, "Background of the Transaction, page 72"),
    # DoorDash: the wrapped last sentences of comment 11 ("... factors. Refer to ... operations. Refer to ...")
    ("0000000000-20-002224", 12,
     "Management's Discussion and Analysis of Financial Condition and Results of Operations, page 78"),
])
def test_numbers_and_page_headers_are_not_headings(accession: str, number: int, heading: str | None) -> None:
    comments = {c["comment_number"]: c for c in comments_of(accession)}
    assert comments[number]["heading"] == heading


def test_redacted_answer_keeps_its_last_line_and_drops_the_legend() -> None:
    # Capital One S-4 response (in the bundled sample): "Response: Rule 83 Confidential Treatment Request by
    # Discover #1" / "Capital One respectfully acknowledges the Staff's comment. [REDACTED]" / "6. ..."
    _letters, _filings, comments = parse_labeled([{"accession": "0001193125-24-161672", "cik": "927628"}])
    by_number = {c["comment_number"]: c for c in comments}
    assert by_number[5]["answer_text"] == "Capital One respectfully acknowledges the Staff’s comment. [REDACTED]"
    assert by_number[6]["heading"] == "Recent Developments, page 16"


def test_heading_wrapped_before_its_page_number_is_whole() -> None:
    comments = comments_of("0000000000-16-088669")  # Insulet: "... Results of Operations, page" / "37"
    assert comments[1]["heading"] == ("Management’s Discussion and Analysis of Financial Condition and Results "
                                      "of Operations, page 37")


def test_heading_wrapped_mid_phrase_is_whole() -> None:
    comments = comments_of("0000000000-20-011658")  # DoorDash: "... an increasing proportion" / "of our ..."
    assert comments[3]["heading"] == ("Our historical consumer cohorts exhibit repeat behavior, which drives an "
                                      "increasing proportion of our Marketplace GOV, page 113")


def test_no_heading_is_only_a_page_number() -> None:
    for accession in ("0000000000-16-088669", "0000000000-20-011658", "0000000000-17-044289"):
        for comment in comments_of(accession):
            assert comment["heading"] is None or not comment["heading"].replace("page", "").strip().isdigit()


def test_answer_does_not_swallow_the_next_heading() -> None:
    # DoorDash's response repeats "Item 7. ... Non-GAAP Financial Measures, page 72" flattened onto one line
    comments = comments_of("0001193125-22-166604")
    assert not comments[0]["answer_text"].endswith("page 72")
    assert comments[1]["heading"].endswith("Non-GAAP Financial Measures, page 72")


# -- offices ---------------------------------------------------------------------------------------------------

def test_one_office_one_name_raw_kept() -> None:
    letters, _ = parsed("0000000000-18-025693", "0000000000-16-073108")  # LVS 2018 PDF, Ventas 2016
    lvs, ventas = letters["0000000000-18-025693"], letters["0000000000-16-073108"]
    assert lvs["staff_office"] == ventas["staff_office"] == "Office of Real Estate and Commodities"
    assert lvs["staff_office_raw"] == "Office of Real Estate & Commodities"


def test_office_wrapped_before_and() -> None:
    letters, _ = parsed("0000000000-16-073605")  # Facebook: "Office of Information Technologies" / "and Services"
    assert letters["0000000000-16-073605"]["staff_office"] == "Office of Information Technologies and Services"


# -- draft registration reviews ----------------------------------------------------------------------------

def test_draft_review_answered_by_an_amended_draft() -> None:
    # AppLovin DRS: staff letters Dec 31 2020 and Jan 27 2021, each answered by a DRS/A (Jan 15, Feb 9), no CORRESP
    _, conversations, _ = review("0000000000-20-012628", "0000000000-21-001014",
                                 index=DATA / "cases" / "applovin-2020-2021.form.idx")
    (conversation,) = conversations
    assert conversation["first_response_via"] == "amended_filing"
    assert conversation["days_to_first_response"] == 15  # 2020-12-31 -> DRS/A 2021-01-15


# -- letters unlike the labeled ones -------------------------------------------------------------------------

def test_letterhead_with_a_list_of_offices() -> None:
    letters, _ = parsed("0001193125-20-167220")  # Latham & Watkins: 29 cities between the date and the salutation
    aon = letters["0001193125-20-167220"]
    assert str(aon["letter_date"]) == "2020-06-12"
    assert aon["file_numbers"] == ["001-07933"]
    assert str(aon["responds_to_date"]) == "2020-06-01"


@pytest.mark.parametrize(("accession", "number"), [("0001140361-19-012763", "333-232001"),
                                                   ("0001104659-20-114900", "333-249277")])
def test_file_number_with_a_stray_space(accession: str, number: str) -> None:
    letters, _ = parsed(accession)
    assert letters[accession]["file_numbers"] == [number]


@pytest.fixture(scope="module")
def cellectar():
    return parse_letter(CELLECTAR.read_text(), "UPLOAD", None)


@pytest.mark.parametrize(("field", "value"), [
    ("letter_date", "2017-07-31"),
    ("letter_kind", "comment"),
    ("addressee_name", "Chad Kolean"),
    ("addressee_title", "Vice President and Chief Financial Officer"),
    ("file_numbers", ["001-36598"]),
    ("staff_division", "Division of Corporation Finance"),
    ("staff_office", "Office of Healthcare and Insurance"),
    ("staff_office_raw", "Office of Healthcare & Insurance"),
    ("cc_people", ["Sarah Fortt"]),
    ("cc_law_firms", ["Vinson & Elkins LLP"]),
    ("n_comments", 1),
])
def test_flattened_staff_letter_field(cellectar, field: str, value) -> None:
    got = getattr(cellectar, field)
    assert (str(got) if field == "letter_date" else got) == value


def test_flattened_staff_letter_comment(cellectar) -> None:
    (comment,) = cellectar.comments
    assert comment.heading_path == ["Preliminary Proxy Statement on Schedule 14A filed July 26, 2017", "General"]
    assert comment.text.startswith("We note your disclosure that you filed a Certificate of Amendment")
    assert comment.text.endswith("40,000,000 shares of authorized common stock.")  # the page-2 header is out
    assert [c.name for c in cellectar.staff_contacts] == ["Irene Paik", "Mary Beth Breslin"]


def test_first_page_without_a_date_takes_the_continuation_header_date() -> None:
    # the real letter with its dated line taken out: the page-2 header "... July 31, 2017 Page 2" still dates it
    text = CELLECTAR.read_text().replace("\nJuly 31, 2017\n", "\n", 1)
    assert str(parse_letter(text, "UPLOAD", None).letter_date) == "2017-07-31"


def test_date_with_stray_spaces_between_digits() -> None:
    # the real letter as a PDF text layer with stray spaces would give it ("July 3 1, 2 017")
    text = CELLECTAR.read_text().replace("\nJuly 31, 2017\n", "\nJuly 3 1, 2 017\n", 1)
    assert str(parse_letter(text, "UPLOAD", None).letter_date) == "2017-07-31"


# -- a sentence that breaks off at a line's end is finished on the next lines, which are not a heading ---------

BROKEN_OFF = [  # (letter, comment whose last sentence broke off, how it ends now, the next comment's heading)
    ("0000000000-20-001733", 2, "Question\n103.01 of our Compliance and Disclosure Interpretations for Non-GAAP "
     "Measures dated\nApril 4, 2018.",
     ["Financial Statements", "Note 2. Summary of Significant Accounting Policies", "Inventories, page 58"]),
    ("0000000000-21-003287", 3, "the guidance of\nQuestion 100.04 of the Division's Non-GAAP C&DIs and Rule 100(b) "
     "of Regulation G\nwhen presenting this measure.",
     ["Summary Consolidated Financial and Other Data", "Non-GAAP Financial Measures, page 18"]),
    ("0000000000-22-005549", 1, "Question 102.10 of the Compliance and Disclosure Interpretations on\n"
     "Non-GAAP Measures.",
     ["Item 7. Management's Discussion and Analysis of Financial Condition and Results of Operations",
      "Non-GAAP Financial Measures, page 72"]),
]


@pytest.mark.parametrize(("accession", "number", "ending", "_heading"), BROKEN_OFF)
def test_sentence_broken_off_at_a_line_end_stays_in_its_comment(accession, number, ending, _heading) -> None:
    assert comments_of(accession)[number - 1]["text"].endswith(ending)


@pytest.mark.parametrize(("accession", "number", "_ending", "heading"), BROKEN_OFF)
def test_the_end_of_a_broken_off_sentence_is_not_the_next_heading(accession, number, _ending, heading) -> None:
    assert comments_of(accession)[number]["heading_path"] == heading


def test_citations_of_a_broken_off_sentence_belong_to_its_comment() -> None:
    rows = normalize_filing(_raw("0000000000-21-003287", "0"), FilingSource("0000000000-21-003287", None))
    cited = {(c["comment_number"], c["system"], c["ref"]) for c in rows["citations"]}
    assert {(3, "C&DI", "100.04"), (3, "rule", "100(b)")} <= cited and not {(4, "C&DI", "100.04")} & cited


# -- a repeated comment of several paragraphs, with no "Response:" before the answer --------------------------


def test_a_repeated_comment_runs_on_until_the_company_speaks() -> None:
    # Fox 2019: the staff comment's three paragraphs (a law firm's office list printed between two of them), then
    # the answer: "In response to the Staff's comments, the Company will revise ..."
    answer = comments_of("0001193125-19-256073")[0]["answer_text"]
    assert answer.startswith("In response to the Staff’s comments, the Company will revise")


def test_a_repeated_comment_cites_nothing_for_the_answer() -> None:
    rows = normalize_filing(_raw("0001193125-19-256073", "0"), FilingSource("0001193125-19-256073", None))
    assert not [c for c in rows["citations"] if c["in_answer"]]  # the C&DIs and ASC 280 are the staff's
