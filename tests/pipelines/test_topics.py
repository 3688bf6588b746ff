"""What each comment is about: citations (normalized as docs/comment-topics.md says), topics of taxonomy v1, and the
filing a letter reviewed. Unit tests on real wording; accuracy against the labels read by hand
(tests/data/topics, tests/data/citations, tests/data/reviewed) over ../shared/edgar-mirror, skipped without it."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from pipelines.citations import find_citations
from pipelines.indexes import ListedFiling, parse_form_index, parse_submissions
from pipelines.normalize import FilingSource, normalize_filing
from pipelines.reviewed import listed_form_family, reviewed_accessions
from pipelines.topics import KEYS, classify_comment
from tests.conftest import ACCURACY_REPORTS, SAMPLE, SHARED_MIRROR, raw_path

DATA = Path(__file__).resolve().parents[1] / "data"
# dev: read while the rules were written; held-out: labeled before the code first ran on them
DEV = ("labels-dev-0", "labels-dev-1", "labels-dev-4", "labels-dev-5", "labels-dev-6", "labels-dev-7")
HELD_OUT = ("labels-heldout-2", "labels-heldout-3", "labels-heldout-8")
mirror = pytest.mark.skipif(not (SHARED_MIRROR / "MIRROR.tsv").exists(), reason="../shared/edgar-mirror is absent")


# -- citations, one system at a time, in the words of real letters -----------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("revenue under ASC 606-10-25-19 for each performance obligation", {("ASC", "606-10-25-19")}),
    ("your segments under FASB ASC Topic 280", {("ASC", "280")}),
    ("refer to paragraphs 350-20-35-3 and 35-4", {("ASC", "350-20-35-3"), ("ASC", "350-20-35-4")}),
    ("disclosures required by ASC 280-10-50- 29(f) for segment gross profit", {("ASC", "280-10-50-29")}),
    ("premiums under ASC 944-605-25-3 when due", {("ASC", "944-605-25-3")}),
    ("a SAB 99/ASC 250-10-S99 analysis", {("SAB", "99"), ("ASC", "250-10-S99")}),
    ("as required by SFAS 131 and EITF 99-19", {("pre-codification", "SFAS 131"), ("pre-codification", "EITF 99-19")}),
    ("impairment under IAS 36 and paragraph 12 of IAS 7", {("IFRS", "IAS 36"), ("IFRS", "IAS 7.12")}),
    ("Refer to Item 10(e)(1)(i)(A) and (B) of Regulation S-K.", {("S-K", "10(e)(1)(i)(A)"), ("S-K", "10(e)(1)(i)(B)")}),
    ("The guidance in Item 303(a) and (b)(2) of Regulation S-K requires", {("S-K", "303(a)"), ("S-K", "303(b)(2)")}),
    ("Please provide the information required by Item 1007(d) with respect to the new debt", {("S-K", "1007(d)")}),
    ("Refer to Rule 3-05 of Regulation S-X and Rule 5-02.19", {("S-X", "3-05"), ("S-X", "5-02.19")}),
    ("pro forma information under Article 11 of Regulation S-X", {("S-X", "Article 11")}),
    ("Refer to Rule 11-02-(a)(9)(i) of Regulation S-X.", {("S-X", "11-02(a)(9)(i)")}),
    ("The instruction to Article 4-08(h)(1) of Regulation S-X states", {("S-X", "4-08(h)(1)")}),
    ("See SAB Topic 11.M and Staff Accounting Bulletin No. 74", {("SAB", "Topic 11.M"), ("SAB", "74")}),
    ("Question 100.01 of the Non-GAAP Financial Measures C&DIs", {("C&DI", "100.01")}),
    ("Refer to Item 102.11 of the non-GAAP C&DIs.", {("C&DI", "102.11")}),
    ("Exchange Act Rule 12b-2 and Securities Act Rule 430A", {("rule", "12b-2"), ("rule", "430A")}),
    ("proposals excluded under Rule 14a-8(i)(7)", {("rule", "14a-8(i)(7)")}),
    ("Item 2.02 of Form 8-K and Item 5 of Form 20-F", {("form_item", "8-K 2.02"), ("form_item", "20-F 5")}),
    ("See Item 21(b) of Schedule 14A.", {("form_item", "Schedule 14A 21(b)")}),
    ("In your related Rule 425 submission on May 30, you state", set()),  # the name of a filing
    ("Please see Financial Reporting Codification Section 501.04 for guidance.", set()),
    ("on page 44 of your Form 10-K filed February 23, 2024 (File No. 001-36743)", set()),
    # short forms and ranges written out (Aon, Marsh & McLennan, Tyson, Avery Dennison letters)
    ("See ASC 606-10-50-17 and -20.", {("ASC", "606-10-50-17"), ("ASC", "606-10-50-20")}),
    ("when revenue is recognized pursuant to ASC 606-10-50-18 or 19, as applicable",
     {("ASC", "606-10-50-18"), ("ASC", "606-10-50-19")}),
    ("Refer to ASC 606-10-50-5 and 55-89 to 55-91.",
     {("ASC", "606-10-50-5"), ("ASC", "606-10-55-89"), ("ASC", "606-10-55-91")}),
    ("the guidance in ASC 606-10-55-36 through 39", {("ASC", "606-10-55-36"), ("ASC", "606-10-55-39")}),
    ("an impairment under ASC 350-20-35-3 and 2018 results", {("ASC", "350-20-35-3")}),  # a year, not a paragraph
    ("leases accounted for under ASC 842 to 100 lessees", {("ASC", "842")}),
    ("See Item 303(A) of Regulation S-K.", {("S-K", "303(a)")}),  # an item's first sub-part is a small letter
    ("Refer to Item 101(c)(1)(ii) of Regulation S-K and Securities Act Release No. 10825 (Oct. 8, 2020), "
     "“Modernization of Regulation S-K Items 101, 103 and 105.”", {("S-K", "101(c)(1)(ii)")}),  # a release's title
])
def test_citations_are_normalized_as_the_contract_says(text, expected):
    assert {(c.system, c.ref) for c in find_citations(text)} == expected


def test_each_citation_is_kept_once_with_the_words_as_written():
    found = find_citations("Refer to ASC 606-10-50-12. As ASC 606-10-50-12 requires, ...")
    assert [(c.system, c.ref, c.raw) for c in found] == [("ASC", "606-10-50-12", "ASC 606-10-50-12")]


# -- topics ------------------------------------------------------------------------------------------------------


def test_a_non_gaap_comment_under_an_mdna_heading_is_about_non_gaap():
    text = ("In connection with your year-over-year discussion of Free cash flow on pages 23-24, please present with "
            "equal or greater prominence, the most directly comparable GAAP measure. Refer to Item 10(e)(1)(i)(A).")
    labels = classify_comment(text, ["Consolidated Results of Operations, page 22"], find_citations(text), ["10-K"])
    assert [label.topic for label in labels] == ["non_gaap"]
    assert labels[0].method == "citation" and labels[0].evidence == "10(e)(1)(i)(A)"


def test_a_comment_on_a_proxy_statement_is_about_the_proxy():
    text = "Please revise to disclose the vote required to approve the proposal and the effect of broker non-votes."
    assert [label.topic for label in classify_comment(text, ["General"], [], ["PRE 14A"])] == ["governance_proxy"]


def test_a_comment_no_rule_fits_is_other_never_nothing():
    labels = classify_comment("Please advise.", [], [], ["10-K"])
    assert [(label.topic, label.method) for label in labels] == [("other", "default")]


def test_every_staff_comment_of_the_sample_has_known_topics():
    rows = normalize_filing(raw_path(SAMPLE, 320193, "0000000000-24-003505").read_bytes(),
                            FilingSource("0000000000-24-003505", 320193))
    staff = {c["comment_number"] for c in rows["comments"] if c["sender"] == "staff"}
    assert {t["comment_number"] for t in rows["comment_topics"]} == staff
    assert all(t["topic"] in KEYS and t["evidence"] is not None for t in rows["comment_topics"])


# -- the filing under review --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("form", "description", "amendment", "draft", "expected"), [
    ("10-K", "Form 10-K for the Fiscal Year Ended December 31, 2023", None, False, ({"10-K", "10-K/A"}, False)),
    ("S-1", "Amendment No. 2 to Registration Statement on Form S-1", 2, False,
     ({"S-1", "S-1/A", "DRS", "DRS/A"}, True)),
    ("SCHEDULE 14A", "Preliminary Proxy Statement on Schedule 14A", None, False,
     ({"PRE 14A", "PREC14A", "PREM14A", "PRER14A", "PRRN14A", "PREN14A"}, False)),
    ("S-1", "Draft Registration Statement on Form S-1", None, True, ({"DRS", "DRS/A"}, False)),
])
def test_form_families(form, description, amendment, draft, expected):
    assert listed_form_family(form, description, amendment, draft) == expected


def test_the_reviewed_10k_is_found_by_its_filed_date_then_by_its_period():
    index = (SAMPLE / "Archives/edgar/full-index/2024/QTR1/form.idx").read_text(encoding="latin-1")
    listed = [row for row in parse_form_index(index) if row.cik == 1751008]
    ten_k = next(row for row in listed if row.form_type == "10-K")
    named = {"form_type": "10-K", "description": "Form 10-K for the Fiscal Year Ended December 31, 2023",
             "period_end": date(2023, 12, 31), "filed_date": ten_k.date_filed, "amendment": None, "draft": False}
    assert reviewed_accessions([named], date(2024, 6, 1), listed) == [ten_k.accession_number]
    assert reviewed_accessions([{**named, "filed_date": None}], date(2024, 6, 1), listed) == [ten_k.accession_number]
    assert reviewed_accessions([{**named, "filed_date": date(2019, 1, 1)}], date(2024, 6, 1), listed) == []
    assert reviewed_accessions([], None, listed, "0000320193-23-000106") == ["0000320193-23-000106"]


# -- accuracy against the labels ------------------------------------------------------------------------------------


def _canonical(system: str, ref: str) -> tuple[str, str]:
    """Labels and code compared the same way: an ASC sub-paragraph letter ("606-10-50-12b", "(d)") and a C&DI's
    sub-question ("102.10(c)") name the same paragraph (docs/comment-topics.md, project notes)."""
    if system == "ASC":
        ref = re.sub(r"([\dA-Z])[a-z]+$", r"\1", re.sub(r"\([^)]*\)", "", ref))  # 4Da: paragraph 4D, item a
    if system == "C&DI":
        ref = re.sub(r"\([a-z]\)$", "", ref)
    return system, ref


def _labels(kind: str, name: str) -> list[dict[str, str]]:
    with (DATA / kind / f"{name}.tsv").open(newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


class Mirror:
    """The labeled filings of the mirror, parsed as the build parses them (once per test module)."""

    def __init__(self) -> None:
        with (SHARED_MIRROR / "MIRROR.tsv").open(newline="") as f:
            self.rows = {r["accession"]: r for r in csv.DictReader(f, delimiter="\t")}
        self._parsed: dict[str, dict] = {}

    def parsed(self, accession: str) -> dict:
        if accession not in self._parsed:
            row = self.rows[accession]
            raw = raw_path(SHARED_MIRROR, row["cik"], accession).read_bytes()
            self._parsed[accession] = normalize_filing(raw, FilingSource(accession, int(row["cik"])))
        return self._parsed[accession]


@pytest.fixture(scope="module")
def parsed_mirror() -> Mirror:
    return Mirror()


def _f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    return precision, recall, 2 * precision * recall / max(precision + recall, 1e-9)


def _topic_scores(parsed_mirror: Mirror, sets: tuple[str, ...]) -> tuple[Counter, Counter]:
    totals, per_topic = Counter(), Counter()
    for name in sets:
        for label in _labels("topics", name):
            rows = parsed_mirror.parsed(label["accession"])
            got = {t["topic"] for t in rows["comment_topics"] if t["comment_number"] == int(label["comment_number"])}
            want = set(label["topics"].split(","))
            for topic in got | want:
                kind = "tp" if topic in got and topic in want else "fp" if topic in got else "fn"
                totals[kind] += 1
                per_topic[topic, kind] += 1
    return totals, per_topic


@pytest.mark.mirror
@mirror
def test_topic_accuracy(parsed_mirror):
    """Micro-F1 over (comment, topic) pairs. Target 0.85 (issue 14); not met yet: the floors below guard what the
    rules reach today (dev 0.79, held-out 0.75 at this commit), so that a change can only improve them."""
    report = []
    for name, sets, floor in (("dev", DEV, 0.78), ("held-out", HELD_OUT, 0.73)):
        totals, _per_topic = _topic_scores(parsed_mirror, sets)
        precision, recall, f1 = _f1(totals["tp"], totals["fp"], totals["fn"])
        report.append(f"topics {name}: micro P {precision:.3f} R {recall:.3f} F1 {f1:.3f} ({sum(totals.values())} "
                      f"labels)")
        assert f1 >= floor, report[-1]
    worst = _topic_scores(parsed_mirror, DEV + HELD_OUT)[1]
    per = ", ".join(f"{t} P {_f1(worst[t, 'tp'], worst[t, 'fp'], worst[t, 'fn'])[0]:.2f}/R "
                    f"{_f1(worst[t, 'tp'], worst[t, 'fp'], worst[t, 'fn'])[1]:.2f}"
                    for t in KEYS if worst[t, "tp"] + worst[t, "fn"] + worst[t, "fp"])
    ACCURACY_REPORTS.extend([*report, f"topics per topic (all labels): {per}"])


@pytest.mark.mirror
@mirror
def test_citation_accuracy(parsed_mirror):
    """Precision and recall of (comment, system, ref), in staff comments and in company answers. Target P 0.98, R 0.95
    (issue 14), met on the staff comments' labels (dev and held-out together); the company answers' floor guards
    today's figure (P 0.95)."""
    by_set: dict[str, Counter] = {}
    for name in DEV + HELD_OUT:
        totals = by_set.setdefault("dev" if name in DEV else "held-out", Counter())
        for label in _labels("topics", name):
            rows = parsed_mirror.parsed(label["accession"])
            got = {_canonical(c["system"], c["ref"]) for c in rows["citations"]
                   if c["comment_number"] == int(label["comment_number"]) and not c["in_answer"]}
            want = {_canonical(*x.strip().split(":", 1)) for x in label["citations"].split(" | ") if x.strip()}
            totals.update(tp=len(got & want), fp=len(got - want), fn=len(want - got))
    answers = Counter()
    for name in ("answers-dev", "answers-heldout"):
        for label in _labels("citations", name):
            rows = parsed_mirror.parsed(label["accession"])
            got = {_canonical(c["system"], c["ref"]) for c in rows["citations"]
                   if c["comment_number"] == int(label["comment_number"]) and c["in_answer"]}
            want = {_canonical(*x.strip().split(":", 1)) for x in label["citations"].split(" | ") if x.strip()}
            answers.update(tp=len(got & want), fp=len(got - want), fn=len(want - got))
    totals = by_set["dev"] + by_set["held-out"]
    staff = _f1(totals["tp"], totals["fp"], totals["fn"])
    per_set = ", ".join(f"{name} P {_f1(c['tp'], c['fp'], c['fn'])[0]:.3f} R {_f1(c['tp'], c['fp'], c['fn'])[1]:.3f}"
                        for name, c in by_set.items())
    answered = _f1(answers["tp"], answers["fp"], answers["fn"])
    ACCURACY_REPORTS.append(f"citations in staff comments: P {staff[0]:.3f} R {staff[1]:.3f} "
                            f"({totals['tp'] + totals['fn']} labeled; {per_set}); in company answers: "
                            f"P {answered[0]:.3f} R {answered[1]:.3f} ({answers['tp'] + answers['fn']} labeled)")
    assert staff[0] >= 0.98 and staff[1] >= 0.95, ACCURACY_REPORTS[-1]
    assert answered[0] >= 0.93 and answered[1] >= 0.95, ACCURACY_REPORTS[-1]


def _mirror_listings() -> dict[int, list[ListedFiling]]:
    listed: dict[int, dict[str, ListedFiling]] = {}
    index_files = [*sorted((SHARED_MIRROR / "Archives/edgar/full-index").glob("*/*/form.idx")),
                   *sorted((SHARED_MIRROR / "Archives/edgar/daily-index").glob("*/*/form.*.idx"))]
    rows = [r for path in index_files for r in parse_form_index(path.read_text(encoding="latin-1"))]
    for path in sorted((SHARED_MIRROR / "submissions").glob("*.json")):
        rows += parse_submissions(json.loads(path.read_text()), int(path.name[3:13])).filings
    for row in rows:
        listed.setdefault(row.cik, {}).setdefault(row.accession_number, row)
    return {cik: list(by.values()) for cik, by in listed.items()}


@pytest.mark.mirror
@mirror
def test_reviewed_accession_accuracy(parsed_mirror):
    """Right on the letters whose reviewed filing is in the mirror's listings (target 0.95)."""
    listed = _mirror_listings()
    report = []
    for name in ("dev", "heldout"):
        right = total = 0
        for label in _labels("reviewed", f"labels-{name}"):
            want = {a for a in label["reviewed_accessions"].split(" | ") if a not in ("NOT_LISTED", "NONE", "")}
            if not want:
                continue
            rows = parsed_mirror.parsed(label["accession"])
            letter = rows["letters"][0]
            got = reviewed_accessions(letter["reviewed_filings"], letter["letter_date"], listed.get(int(label["cik"]),
                                      []), rows["filings"][0]["reference_accession"])
            total += 1
            right += set(got) == want
        report.append(f"{name} {right}/{total}")
        assert right >= 0.95 * total, report[-1]
    ACCURACY_REPORTS.append("reviewed accessions right: " + ", ".join(report))


@pytest.mark.parametrize(("path", "section", "subject"), [
    (["Critical Accounting Policies and Estimates, page 32", "Goodwill, page 54"], "critical_accounting_estimates",
     "goodwill_intangibles_impairment"),
    (["Unaudited Pro Forma Condensed Combined Financial Statements, page 158",
      "Note 3 - Purchase Accounting Adjustments, page 162"], "financial_statement_requirements",
     "business_combinations"),
])
def test_a_comment_in_a_section_that_is_a_topic_is_about_it_and_its_subject(path, section, subject):
    text = ("Please tell us the goodwill of each reporting unit and how you determined the preliminary allocation of "
            "the purchase price, and quantify the goodwill at risk of impairment.")
    topics = {label.topic for label in classify_comment(text, path, find_citations(text), ["10-K"])}
    assert section in topics and subject in topics


def test_an_amended_and_restated_charter_is_no_restatement():
    text = ("Please revise to disclose provisions in your Amended and Restated Certificate of Incorporation and "
            "Amended and Restated Bylaws relating to the rights of stockholders to call special meetings.")
    topics = {label.topic for label in classify_comment(text, ["Description of Capital Stock, page 135"], [], ["S-4"])}
    assert "statement_presentation" not in topics


def test_a_request_to_file_a_tax_opinion_is_about_the_exhibits():
    text = ("We note the disclosure that the reorganization will qualify as tax-free and that you will receive a tax "
            "opinion from counsel to that effect. Please file such tax opinion.")
    labels = classify_comment(text, ["Material U.S. Federal Income Tax Consequences, page 53"], [], ["S-1"])
    assert [label.topic for label in labels] == ["filing_mechanics"]
