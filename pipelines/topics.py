"""What a staff comment is about: topics of taxonomy v1 (docs/comment-topics.md). Pure functions over text.

Rules, not a model. Each topic has strong cues (words that say the comment asks about the topic: "performance
obligation", "non-GAAP", "reportable segments"), weak cues (words that only mention it: "revenue", "segment")
and heading cues; and the authorities a comment cites vote for their topics (ASC 606 → revenue, Item 10(e) →
non_gaap, ...). As the contract says, the request decides: a topic needs a strong cue, a citation, or a heading
backed by the comment's own words; a heading alone decides only when the words name no topic. Two sections
are topics of their own whatever the comment asks there: a comment under "Critical Accounting Estimates" is about
the estimate's disclosure (and its subject), one under "Unaudited Pro Forma ..." about the pro forma requirements.
A comment on a proxy statement is about the proxy unless it is about a subject of its own, and a comment that
names no subject at all takes the topic of the filing reviewed (an S-4's "General" comment is about the
transaction); none fits: `other`. Every topic comes with its evidence (the words that decided) and a confidence.

Why rules: 186 labeled comments (dev) are too few to train a model over 31 topics that generalizes to other
years and offices; rules say why they chose (evidence), and cost microseconds per comment. BENCHMARKS.md gives
the accuracy on the held-out labels.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from pipelines.citations import ASC, CDI, IFRS, PRE, RULE, SAB, SK, SX, Citation

TAXONOMY_VERSION = "1"
OTHER = "other"


def _p(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Topic:
    key: str
    strong: re.Pattern[str]  # the comment asks about the topic
    weak: re.Pattern[str] | None = None  # the comment mentions it
    heading: re.Pattern[str] | None = None  # a heading about it


TOPICS: tuple[Topic, ...] = (
    Topic("revenue",
          _p(r"revenue recogni|recogni[sz]\w* (?:the |your |such |this |these |that )?(?:revenue|sales)|recogni[sz]"
             r"\w* (?:it |them )?(?:as |on a )?(?:gross|net)\b|performance obligation|principal (?:versus|vs\.?|or|"
             r"and) (?:an )?agent|gross (?:versus|vs\.?|or) net|disaggregat\w*|contract (?:assets?|liabilit|"
             r"balances?|costs)|transaction price|standalone selling|stand-alone selling|variable consideration|"
             r"deferred revenue|unearned revenue|IFRS 15|bill.and.hold|revenue from contracts|sell.through|"
             r"when control (?:transfers|passes|is transferred)|returns? (?:policy|reserve|allowance)|future returns|"
             r"rebates|customer incentives|consideration payable to a customer|licen[cs]e revenue|royalt\w+ revenue|"
             r"shipping and handling"),
          _p(r"\brevenues?\b|\bsales\b"), _p(r"revenue|sales recognition")),
    Topic("business_combinations",
          _p(r"business combination|purchase price allocation|allocation of the purchase price|allocate the purchase "
             r"price|preliminary allocation|contingent consideration|accounting acquirer|asset acquisition|bargain "
             r"purchase|acquisition method|purchase accounting|fair value of (?:the )?(?:acquired|assets acquired|"
             r"net assets)|acquired (?:intangible|assets|property)|acquisition date|step.up|IFRS 3\b|"
             r"measurement period"),
          _p(r"acquisition|acquired"), _p(r"acquisition|business combination|purchase accounting|purchase price")),
    Topic("consolidation_equity_method",
          _p(r"variable interest|\bVIEs?\b|primary beneficiary|deconsolidat|equity.method|noncontrolling interest|"
             r"non-controlling interest|significant influence|controlling financial interest|consolidate (?:the|"
             r"this|these|it|them|its)|power to direct the activities|decision.making (?:rights|authority)|"
             r"kick.out rights|participating rights|de facto agent|related party group|joint(?:ly)? control|"
             r"variability|most significantly impact|economic performance"),
          _p(r"joint venture|consolidat\w+|investees?|unconsolidated"),
          _p(r"variable interest|equity method|consolidation|noncontrolling|joint venture|unconsolidated")),
    Topic("goodwill_intangibles_impairment",
          _p(r"goodwill|reporting units?|intangible assets?|impairment (?:test|analys|charge|assessment|review|"
             r"evaluation|indicators?|of (?:long.lived|oil|proved|property|intangible))|impair(?:ment|ed) (?:of )?"
             r"(?:long.lived|property|properties)|long.lived assets?|useful li(?:fe|ves)|recoverab|IAS 36|"
             r"indefinite.lived|carrying (?:value|amount) (?:of|exceed)|undiscounted cash flows|triggering event"),
          _p(r"impairment|impaired"), _p(r"goodwill|intangible|impairment|long.lived")),
    Topic("fair_value",
          _p(r"fair value (?:measurement|hierarchy|option|disclosures?)|level [123]\b|unobservable inputs?|valuation "
             r"(?:techniques?|inputs?|methodolog)|IFRS 13|measured at fair value|nonrecurring basis"),
          _p(r"fair value"), _p(r"fair value")),
    Topic("financial_instruments_debt_equity",
          _p(r"derivatives?\b|hedg(?:e|es|ing)|convertible|warrants?\b|extinguishment|debt modification|credit "
             r"loss|allowance for (?:loan|credit|doubtful)|loan losses|impaired loans?|held.to.maturity|available.for."
             r"sale|IFRS 9|liability (?:or|versus|vs\.?) equity|equity (?:or|versus|vs\.?) liability|classif\w+ "
             r"(?:of |as )?(?:the )?(?:debt|equity|a liability|liabilit)|redeemable|preferred (?:stock|shares)|"
             r"troubled debt|cost.method investments?|marketable securities|debt securities|equity securities|"
             r"current (?:or|versus|vs\.?) (?:long.term|non.?current)|(?:current|long.term) classification|"
             r"securities lending|repurchase agreements|investments? in (?:debt|equity) securities|loan modification|"
             r"nonaccrual|non-accrual|interest rate swaps?|new indebtedness|new debt|interest expense on"),
          _p(r"\bdebt\b|\bloans?\b|borrowings|notes payable|securities"),
          _p(r"debt|derivative|hedg|convertible|warrant|loans|investments|credit loss|securities|borrowings|"
             r"financial instruments")),
    Topic("income_taxes",
          _p(r"income tax|tax provision|valuation allowance|deferred tax|uncertain tax|effective (?:income )?tax "
             r"rate|tax rate reconciliation|IAS 12|unrecognized tax|tax (?:assets?|liabilit|benefits?|expense|"
             r"positions?|credits?|law|reform)|repatriat|Tax Cuts and Jobs Act|global intangible"),
          _p(r"\btax(?:es)?\b"), _p(r"tax")),
    Topic("contingencies_commitments",
          _p(r"loss contingenc|contingencies|litigation (?:accrual|reserves?)|reasonably possible|range of "
             r"(?:reasonably possible )?loss|estimate of the (?:possible )?loss|guarantees?\b|environmental "
             r"(?:remediation|liabilit|obligations?|matters|costs|reserves)|asset retirement obligation|"
             r"accru\w+ for (?:the )?"
             r"(?:litigation|claims|legal)|probable (?:and|or) (?:reasonably )?estimable|legal (?:claims|matters)|"
             r"lawsuits?|settlements? of (?:claims|litigation)|remediation"),
          _p(r"litigation|commitments|claims|legal proceedings"),
          _p(r"contingenc|commitments|litigation|legal matters|environmental|guarantee|remediation")),
    Topic("segments",
          _p(r"reportable segments?|operating segments?|segment (?:information|reporting|disclosures?|measures?|"
             r"profit|profitability|(?:operating )?income|earnings|assets|expenses|results|revenue|financial)|chief "
             r"operating decision maker|\bCODM\b|aggregat\w+ (?:of )?(?:your |the |its |these )?(?:operating|"
             r"reportable|segments)|IFRS 8|entity.wide|ASC 280|each (?:of your )?segment|by segment|"
             r"segments? (?:you|that you) (?:identified|report)"),
          _p(r"\bsegments?\b"), _p(r"segment")),
    Topic("leases",
          _p(r"\blease (?:accounting|liabilit|payments?|term|classification|obligations?|expense|income|"
             r"agreements?)|\bleases\b(?! losses)|lessee|lessor|right.of.use|IFRS 16|sale.leaseback|operating "
             r"leases?|finance leases?|capital leases?"),
          None, _p(r"\blease")),
    Topic("compensation_benefits",
          _p(r"stock.based compensation|share.based (?:compensation|payment|awards?)|stock options?|pension|"
             r"postretirement|post.retirement|defined benefit|equity awards?|restricted stock|grant.date fair value|"
             r"equity.classified awards|compensation (?:expense|cost)|employee benefit plans?|IFRS 2\b|IAS 19"),
          None, _p(r"stock.based|share.based|pension|benefit plan|compensation expense|equity compensation")),
    Topic("statement_presentation",
          _p(r"statements? of cash flows|cash flows? statement|classif\w+ (?:in|within|on) (?:the|your) "
             r"(?:statements?|income|balance|cash)|income statement|statements? of (?:operations|income|"
             r"comprehensive|changes in (?:stockholders|shareholders|equity))|balance sheet|earnings per share|"
             r"\bEPS\b(?! guidance)|discontinued operations?|restructuring|error correction|correct(?:ion of|ed) "
             r"(?:an |the )?errors?|(?<!amended and )restate(?:ment)?(?!d (?:certificate|articles|bylaws|charter|"
             r"memorandum|limited|agreement|credit))|accounting (?:change|principle)|change in accounting|"
             r"subsequent events?|related.party transactions?|inventor(?:y|ies)|cost of (?:sales|revenue|goods)|"
             r"face of (?:the|your) (?:financial statements|income statement|statements? of)|unusual or "
             r"infrequent|other (?:changes in equity|comprehensive)|\bOCI\b|reclassif|presentation of (?:the )?"
             r"(?:costs?|expenses?|amounts?|gains?|losses?)|gross margin presentation|separately (?:present|"
             r"state)|captions?|line items?|held for sale|comparative periods|immaterial error|Rule 5-0[34]"),
          _p(r"present(?:ed|ation)? (?:on|in) (?:the|your)|classif"),
          _p(r"statements? of (?:operations|income|cash flows|financial position|comprehensive|equity|changes)|"
             r"cash flows?|balance sheets?|earnings per share|discontinued|restructuring|inventor|related part|"
             r"subsequent event|restatement|basis of presentation|summary of significant accounting")),
    Topic("critical_accounting_estimates",
          _p(r"critical accounting (?:estimates?|polic)|how accurate (?:your|the) estimates|sensitivity (?:analysis|"
             r"of (?:the|your) (?:estimates|assumptions))|reasonably likely changes? in (?:the |your )?"
             r"(?:assumptions|estimates)"),
          None, _p(r"critical accounting")),
    Topic("non_gaap",
          _p(r"non.GAAP|Item 10\(e\)|Regulation G\b|adjusted (?:EBITDA|EBIT|net income|net earnings|earnings|"
             r"operating|EPS|diluted|gross|free cash|funds|income|net|return)|\bEBITDA|free cash flow|most directly "
             r"comparable|equal or greater prominence|constant.currency|core (?:earnings|FFO)|funds from operations|"
             r"\bFFO\b|\bAFFO\b|return on (?:average )?invested capital|\bROIC\b|net debt|organic (?:growth|revenue|"
             r"sales)|excluding the impact|individually tailored accounting|normal, recurring|tax effects? of "
             r"(?:the |your )?(?:non|adjustments)"),
          _p(r"\badjusted\b|reconcil\w+"),
          _p(r"non.GAAP|adjusted|EBITDA|free cash flow|constant.currency|invested capital|\bFFO\b|net debt")),
    Topic("kpis_metrics",
          _p(r"key performance indicators?|\bKPIs?\b|operating metrics?|key (?:operating |business )?metrics?|"
             r"daily active|monthly active|\bDAUs?\b|\bMAUs?\b|\bDAP\b|\bMAP\b|average revenue per|\bARPU\b|same."
             r"store|comparable.store|comparable sales|backlog|retention rate|bookings|net revenue retention|"
             r"33.10751|(?:this|the|these|such) metrics?|\bGMV\b|\bGOV\b|gross (?:bookings|order value)|"
             r"ad impressions|average price per ad|orders received|how you (?:define|calculate|measure)|"
             r"defin\w+ (?:of )?(?:the term )?[\"“]|order frequency|engagement|cohorts?\b|total orders|"
             r"wallet share|fee rates?|assets under management|per (?:user|customer|subscriber|member|order)|"
             r"churn|subscribers?\b|active (?:users|customers|accounts)|occupancy|revenue per available|RevPAR|"
             r"net new|user growth"),
          None, _p(r"key performance|metrics|KPI")),
    Topic("mdna_results",
          _p(r"results of operations|known trends?|trends? (?:or|and) uncertaint|known (?:events|uncertaint)|"
             r"quantif\w+ (?:each|the (?:effects?|impacts?|factors|reasons|changes?|contribution))|underlying "
             r"(?:reasons|causes|factors|drivers)|"
             r"factors (?:that|which) (?:contributed|caused|drove)|period.over.period|year.over.year|MD&A|"
             r"management.s discussion|Item 303(?!\(b\)\(1\))|Item 303\(a\)(?!\(1\)|\(2\))|explain (?:the )?"
             r"(?:reasons?|changes?|increase|decrease|variances?|drivers)|reasons? for (?:the )?(?:changes?|"
             r"increases?|decreases?|fluctuations?|variances?|decline)|discuss (?:the )?(?:reasons?|changes?|impact|"
             r"effects?|extent)|impact(?:ed|s)? (?:on )?(?:your )?(?:results|revenues?|margins?|operations)|gross "
             r"margin|changes in (?:revenue|net sales|costs|expenses)|inflation|analysis of (?:each|your|the) "
             r"(?:segment|results)|drivers? of|offsetting factors|materially affect|reasonably likely to (?:have|"
             r"cause|result)|discussion and analysis"),
          _p(r"\bincreased?\b|\bdecreased?\b|compared to"),
          _p(r"results of operations|management.s discussion|MD&A|fiscal (?:year )?\d{4} (?:compared )?to|"
             r"\d{4} (?:compared )?to (?:fiscal )?\d{4}|\bcompared (?:to|with)\b|overview|trends|outlook|inflation|"
             r"segment results|analysis of|net sales|gross margin|revenues?$")),
    Topic("mdna_liquidity",
          _p(r"liquidity|capital resources|cash flows? (?:from|used in|provided by) operati|operating cash flows?|"
             r"capital expenditures?|covenants?|contractual obligations|working capital|Item 303\(b\)\(1\)|"
             r"Item 303\(a\)\((?:1|2)\)|sources and uses of cash|cash requirements|credit facilit|borrowing "
             r"capacity|ability to (?:meet|fund|service)|material cash requirements|debt maturities|"
             r"refinanc|commercial paper|cash (?:held|balances?) (?:outside|by foreign)"),
          None, _p(r"liquidity|capital resources|cash flows? from|capital expenditure|contractual obligation|cash "
                   r"requirements|financing")),
    Topic("risk_factors",
          _p(r"risk factors?|Item 105|Item 1A\b|risk factor disclosure|generic risks?|(?:add|include|revise) (?:a )?"
             r"risk factor"),
          None, _p(r"risk factor|^\W*risks? (?:related|relating) to|^\s*[\"“].{20,}")),  # or a risk factor's title
    Topic("business_properties_legal",
          _p(r"description of (?:the |your )?business|Item 10[123]\b|legal proceedings|\bproperties\b|human capital|"
             r"government(?:al)? regulations?|intellectual property|patents?\b|market (?:data|share|position|size)|"
             r"competitive (?:position|conditions)|customer concentration|material (?:agreements?|contracts?)|"
             r"royalt(?:y|ies) (?:burden|rates?|payments?|obligations?)|regulatory (?:approval|requirements|"
             r"matters|environment)|\bFDA\b|clinical trials?|product candidates?|employees\b|suppliers?|"
             r"manufactur\w+ (?:facilities|capacity)|industry (?:data|sources)|third.party (?:data|sources)|"
             r"sources? (?:of|for) (?:the )?(?:data|statistics)|business (?:strategy|model|description)|"
             r"Item 1\b(?!A)|description of (?:the )?properties|oilfield|distribution channels"),
          None,
          _p(r"^\W*(?:item\s*1\.?\s*\W*\s*)?(?:description of (?:the |our )?|our |the )?(?:business|properties|legal "
             r"proceedings|intellectual property|human capital|competition|(?:government(?:al)? )?regulations?|"
             r"employees|customers|suppliers|industry(?: overview)?|products(?: and services)?|platform|"
             r"technology|company|markets?|opportunity|growth strategy|strategy|commercialization|collaborations?|"
             r"licen[cs]e agreements?|patents|manufacturing)\b")),
    Topic("executive_compensation",
          _p(r"executive compensation|Item 402|compensation discussion|CD&A|named executive officers?|pay.versus."
             r"performance|director compensation|Item 404|related.person transactions?|clawback|incentive (?:plan|"
             r"compensation|awards?|pay)|bonus(?:es)?\b|severance|golden parachute|executive pay|compensation "
             r"(?:committee|practices|program|peer group)|say.on.pay|recovery (?:analysis|of erroneously)|"
             r"erroneously awarded"),
          None, _p(r"compensation|executive|clawback|related.person|director")),
    Topic("governance_proxy",
          _p(r"proxy (?:statement|card|materials|solicitation|contest|advisory)|solicitation|soliciting|shareholder "
             r"(?:proposals?|vote|approval|meeting)|stockholder (?:proposals?|vote|approval|meeting)|voting "
             r"(?:standard|rights|power|instruction)|votes? (?:required|needed)|broker non.votes?|"
             r"abstentions?|charter amendment|amend\w* (?:the|your|our) (?:charter|certificate|bylaws)|"
             r"authorized shares|board (?:of "
             r"directors )?(?:nominees?|matters|composition|declassif|seats?|leadership)|\bnominees?\b|Rule 14a|"
             r"Schedule 14A|participants? in the solicitation|universal proxy|quorum|record date|annual meeting|"
             r"special meeting|bylaws?\b|white (?:proxy )?card|gold (?:proxy )?card|blue (?:proxy )?card|"
             r"revoc|withhold|support (?:for|of) (?:your|the|this) (?:statements?|assertions?|claims?)|"
             r"characteriz|dissident|activist|board.s (?:recommendation|response)"),
          _p(r"\bvote\b|\bboard\b|shareholders?|stockholders?"),
          _p(r"proxy|proposal|solicitation|voting|\bvote\b|nominee|annual meeting|meeting|background of the "
             r"solicitation|interests in the solicitation|bylaw|general comments")),
    Topic("controls_procedures",
          _p(r"disclosure controls|internal control over financial reporting|\bICFR\b|material weakness|significant "
             r"deficienc|Item 30[78]|management.s (?:annual )?report on internal|SOX 404|Section 404|effectiveness of "
             r"(?:your|the|its) (?:internal|disclosure) controls?|internal controls?\b"),
          None, _p(r"controls and procedures|internal control|disclosure controls")),
    Topic("financial_statement_requirements",
          _p(r"Rule 3.0[1-9]|Rule 3.1[0-4]|Rule 8.0[4-8]|Article 11\b|pro forma|audited financial statements (?:of|"
             r"for)|financial statements of (?:the )?(?:acquired|business|target|equity investee|guarantor)|"
             r"significan\w+ (?:tests?|of the (?:acquisition|investee|business))|guarantor|auditor.s (?:report|"
             r"consent)|report of (?:the )?independent registered|age of (?:the )?financial statements|separate "
             r"financial statements|PCAOB|predecessor financial statements|financial statement (?:disclosure )?"
             r"requirements?|carve.out financial|summarized financial information|condensed consolidating|"
             r"Item 10 of Schedule TO|financial information (?:of|for) the (?:issuer|guarantors)"),
          None,
          _p(r"pro forma|guarantor|financial statements of|selected financial data|auditor|independent registered|"
             r"summary historical|Item 10\. Financial Statements|financial information")),
    Topic("transaction_terms",
          _p(r"background of the (?:merger|transaction|offer|acquisition|proposed|business combination|"
             r"spin|separation|distribution)|fairness opinion|opinion of [\w’' ]*financial advisor|financial advisors?|"
             r"projections|projected (?:financial|financials)|prospective financial|interests of (?:certain )?"
             r"(?:directors|officers|insiders|[\w’' ]+ directors)|tax consequences|merger (?:agreement|consideration|"
             r"sub)|exchange ratio|tender offer|the offer\b|offer to (?:purchase|exchange)|going.private|Rule 13e|"
             r"Schedule TO|13E.3|use of proceeds|dilution|capitalization table|plan of distribution|selling "
             r"(?:stock|share)holders?|description of (?:capital stock|securities|the notes|share capital)|"
             r"underwrit|offering price|exchange offer|special dividend|merger consideration|synergies|strategic "
             r"alternatives|reasons for the (?:merger|transaction)|conditions to (?:the )?(?:merger|offer|closing|"
             r"completion)|appraisal rights|dissenters|termination fee|comparable companies analysis|discounted cash "
             r"flow analysis|implied (?:equity|value)|the (?:proposed )?(?:spin.off|separation|distribution)\b|"
             r"contribution analysis|financial analyses|stockholders? (?:will|would) receive"),
          None,
          _p(r"background of|merger|transaction|the offer|fairness|financial advisor|projections|projected|opinion of|"
             r"use of proceeds|dilution|capitalization|plan of distribution|selling (?:stock|share)holder|"
             r"description of (?:capital|securities)|tax consequences|interests of|synergies|combined company|"
             r"questions and answers|summary term sheet|strategic rationale|the transactions|"
             r"contribution analysis|certain information concerning|purpose of the offer|source and amount")),
    Topic("filing_mechanics",
          _p(r"exhibits?\b|signatures?\b|consents? of|legal(?:ity)? opinion|file (?:a |the |such |your |this )?tax "
             r"opinion|opinion of counsel|incorporat\w+ by reference|form eligibility|eligib\w+ to use Form|cover "
             r"page|XBRL|inline XBRL|interactive data|confidential treatment|Rule 83\b|Item 601|Rule 406|Rule 24b.2|"
             r"file (?:the|a|your|these|those) "
             r"(?:complete|executed|final|agreements?|consulting|employment)|(?:filed|file \w+) as (?:an )?exhibits?|"
             r"redact|certifications?|Exhibit 3[12]|Section 302|principal executive offices|Regulation S.T|"
             r"EDGAR Filer Manual|tagging|hyperlinks?|forum selection"),
          None, _p(r"exhibit|signatures?|cover page|incorporation by reference|certification|consent|legality|XBRL|"
                   r"agreement|interactive data")),
    Topic("industry_specific",
          _p(r"proved (?:undeveloped )?reserves?|\bPUDs?\b|oil and (?:natural )?gas (?:reserves|properties|producing|"
             r"activities)|Subpart 1[234]00|Item 1[234]\d\d|Industry Guide 3|Guide 3\b|mineral (?:reserves|"
             r"resources|properties)|\bmining\b|insurance reserves|loss reserves|\bREIT\b|crypto|digital assets?|"
             r"standardized measure|drilling (?:plans?|program|locations)|development (?:plan|schedule)|"
             r"five.year rule|reserve (?:estimates?|report)|Rule 4-10|net interest margin|deposits\b|"
             r"statistical disclosure|loan portfolio"),
          None, _p(r"reserves|oil and gas|mining|mineral|loan portfolio|crypto|digital asset|insurance|deposits")),
    Topic("climate_esg",
          _p(r"climate|greenhouse gas|\bGHG\b|carbon|emissions|sustainability|\bESG\b|extreme weather|transition "
             r"risks?|physical risks?|environmental,? social|net.zero|corporate social responsibility|CSR report|"
             r"weather.related|severe weather|sea levels?"),
          None, _p(r"climate|sustainab|ESG|emissions")),
    Topic("cybersecurity",
          _p(r"cybersecurity|cyber.attacks?|cyber security|Item 106|Item 1C\b|Item 1\.05|data breach|security "
             r"incidents?|ransomware"),
          None, _p(r"cyber")),
    Topic("china_based_issuers",
          _p(r"\bPRC\b|People.s Republic of China|mainland China|Hong Kong|HFCAA|Holding Foreign Companies|"
             r"China.based|\bCSRC\b|Cyberspace Administration|based in China|operations in China"),
          None, _p(r"China|PRC")),
)
KEYS = (*(topic.key for topic in TOPICS), OTHER)


def _branches(pattern: str) -> list[str]:
    """The top-level alternatives of a regular expression."""
    out, depth, start, i = [], 0, 0, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "|" and depth == 0:
            out.append(pattern[start:i])
            start = i + 1
        i += 1
    return [*out, pattern[start:]]


def _literal(branch: str) -> str | None:
    """The longest plain run of characters every match of `branch` contains (lower case), if 3 or more long."""
    runs, run, i = [], "", 0
    while i < len(branch):
        char = branch[i]
        if char == "\\":
            run, i = (runs.append(run) or "") if run else "", i + 2
            continue
        if char in "([{.^$|":
            runs.append(run)
            if char in "([{":  # skip the group: what it matches is not literal
                depth, close = 1, {"(": ")", "[": "]", "{": "}"}[char]
                i += 1
                while i < len(branch) and depth:
                    depth += branch[i] == char
                    depth -= branch[i] == close
                    i += 2 if branch[i] == "\\" else 1
                if i < len(branch) and branch[i] in "?*":  # an optional group: the run after it is separate
                    i += 1
                run = ""
                continue
            run, i = "", i + 1
            continue
        if char in "?*" and run:
            run = run[:-1]  # the character before is optional
            runs.append(run)
            run, i = "", i + 1
            continue
        if char == "+":
            i += 1
            continue
        run += char
        i += 1
    runs.append(run)
    best = max(runs, key=len).lower()
    return best if len(best) >= 3 else None


Cue = tuple[str | None, re.Pattern[str]]  # (a word every match contains, or None) and one alternative of a pattern


def _cues(pattern: re.Pattern[str] | None) -> list[Cue]:
    if pattern is None:
        return []
    return [(_literal(branch), re.compile(branch, re.IGNORECASE)) for branch in _branches(pattern.pattern)]


# Scanning a comment with 31 topics' big alternations took 7 ms a comment, more than the rest of the filing's
# parsing. Each alternative runs on its own, and only when its word is in the comment: most are not, so a
# comment costs a fraction of a millisecond.
_CUES = {topic.key: (_cues(topic.strong), _cues(topic.weak)) for topic in TOPICS}
_HEADING_CUES = {topic.key: _cues(topic.heading) for topic in TOPICS}
_TEXT_WORDS = tuple(sorted({word for strong, weak in _CUES.values() for word, _ in strong + weak if word}))
_HEADING_WORDS = tuple(sorted({word for cues in _HEADING_CUES.values() for word, _ in cues if word}))


def _trie(words: tuple[str, ...]) -> str:
    """A regular expression matching the longest of `words` that starts where it is tried, as a trie: each
    character is compared once, where an alternation of 600 words would try each of them."""
    root: dict = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(root)


@dataclass(frozen=True, slots=True)
class _WordFinder:
    """Which of the cues' words a lowercase text holds, in one pass over it (600 substring tests, each a scan
    of the text, cost three times as much)."""
    starting: re.Pattern[str]  # at each position, the longest word that starts there
    shorter: dict[str, tuple[str, ...]]  # a word -> the words it begins with (they are there too)

    @classmethod
    def of(cls, words: tuple[str, ...]) -> _WordFinder:
        return cls(re.compile("(?=(" + _trie(words) + "))"),
                   {word: tuple(w for w in words if word.startswith(w)) for word in words})

    def present(self, lowered: str) -> frozenset[str]:
        return frozenset(w for match in self.starting.finditer(lowered) for w in self.shorter[match.group(1)])


_TEXT_FINDER, _HEADING_FINDER = _WordFinder.of(_TEXT_WORDS), _WordFinder.of(_HEADING_WORDS)
CueIndex = dict[str, list[tuple[str, int, re.Pattern[str]]]]  # a word -> (topic, place in its list, cue)


def _index(cues: dict[str, list[Cue]]) -> CueIndex:
    index: CueIndex = {}
    for key, topic_cues in cues.items():
        for place, (word, cue) in enumerate(topic_cues):
            index.setdefault(word or "", []).append((key, place, cue))
    return index


_STRONG_INDEX = _index({key: strong for key, (strong, _) in _CUES.items()})
_WEAK_INDEX = _index({key: weak for key, (_, weak) in _CUES.items()})
_HEADING_INDEX = _index(_HEADING_CUES)


def _active(index: CueIndex, present: frozenset[str]) -> dict[str, list[re.Pattern[str]]]:
    """The cues whose word a text holds, by topic, in the order each topic lists them."""
    found: dict[str, list[tuple[int, re.Pattern[str]]]] = {}
    for word in ("", *present):  # "": the cues that hold no plain word run on every text
        for key, place, cue in index.get(word, ()):
            found.setdefault(key, []).append((place, cue))
    return {key: [cue for _, cue in sorted(cues, key=lambda c: c[0])] for key, cues in found.items()}


def _cue_matches(cues: list[re.Pattern[str]], text: str) -> list[re.Match[str]]:
    """Matches of the cues in `text`, in order."""
    found = [m for cue in cues for m in cue.finditer(text)]
    return sorted(found, key=lambda m: m.start()) if len(found) > 1 else found


_BY_KEY = {topic.key: topic for topic in TOPICS}

# Authorities cited, by topic (docs/comment-topics.md). ASC topics by their three digits.
_ASC_TOPICS = {
    "605": "revenue", "606": "revenue", "340": "revenue", "805": "business_combinations",
    "810": "consolidation_equity_method", "323": "consolidation_equity_method",
    "350": "goodwill_intangibles_impairment", "360": "goodwill_intangibles_impairment",
    "820": "fair_value", "310": "financial_instruments_debt_equity", "320": "financial_instruments_debt_equity",
    "321": "financial_instruments_debt_equity", "325": "financial_instruments_debt_equity",
    "326": "financial_instruments_debt_equity", "470": "financial_instruments_debt_equity",
    "480": "financial_instruments_debt_equity", "505": "financial_instruments_debt_equity",
    "815": "financial_instruments_debt_equity", "825": "financial_instruments_debt_equity",
    "740": "income_taxes", "450": "contingencies_commitments", "460": "contingencies_commitments",
    "410": "contingencies_commitments", "440": "contingencies_commitments", "280": "segments", "840": "leases",
    "842": "leases", "718": "compensation_benefits", "715": "compensation_benefits", "710": "compensation_benefits",
    "205": "statement_presentation", "210": "statement_presentation", "220": "statement_presentation",
    "225": "statement_presentation", "230": "statement_presentation", "250": "statement_presentation",
    "260": "statement_presentation", "330": "statement_presentation", "420": "statement_presentation",
    "850": "statement_presentation", "855": "statement_presentation", "932": "industry_specific",
    "944": "industry_specific", "942": "industry_specific", "976": "industry_specific",
}
_IFRS_TOPICS = {"IFRS 15": "revenue", "IFRS 3": "business_combinations", "IFRS 10": "consolidation_equity_method",
                "IAS 36": "goodwill_intangibles_impairment", "IAS 38": "goodwill_intangibles_impairment",
                "IFRS 13": "fair_value", "IFRS 9": "financial_instruments_debt_equity",
                "IAS 32": "financial_instruments_debt_equity", "IAS 12": "income_taxes",
                "IAS 37": "contingencies_commitments", "IFRS 8": "segments", "IFRS 16": "leases",
                "IFRS 2": "compensation_benefits", "IAS 19": "compensation_benefits",
                "IAS 7": "statement_presentation", "IAS 1": "statement_presentation"}
_PRE_TOPICS = {"SFAS 131": "segments", "SFAS 142": "goodwill_intangibles_impairment",
               "SFAS 144": "goodwill_intangibles_impairment", "SFAS 141": "business_combinations",
               "SFAS 157": "fair_value", "SFAS 109": "income_taxes", "FIN 48": "income_taxes",
               "SFAS 5": "contingencies_commitments", "SFAS 13": "leases", "SFAS 123": "compensation_benefits",
               "SFAS 133": "financial_instruments_debt_equity", "FIN 46": "consolidation_equity_method",
               "SOP 97-2": "revenue", "EITF 99-19": "revenue"}
_SK_ITEMS = {303: "mdna_results", 105: "risk_factors", 503: "risk_factors", 101: "business_properties_legal",
             102: "business_properties_legal", 103: "business_properties_legal", 402: "executive_compensation",
             404: "executive_compensation", 307: "controls_procedures", 308: "controls_procedures",
             601: "filing_mechanics", 106: "cybersecurity", 1500: "climate_esg"}
_TRANSACTION_ITEMS = {501, 502, 504, 506, 507, 508, 509, 510, 1004, 1005, 1006, 1007, 1011, 1013, 1014, 1015, 1016}
_SAB_TOPICS = {"Topic 13": "revenue", "104": "revenue", "101": "revenue", "Topic 5.Y": "contingencies_commitments",
               "Topic 11.M": "statement_presentation", "Topic 14": "compensation_benefits",
               "Topic 12": "industry_specific", "Topic 1.B": "statement_presentation"}


def citation_topic(citation: Citation) -> str | None:
    """The topic an authority is about, when it names one."""
    ref = citation.ref
    if citation.system == ASC:
        return _ASC_TOPICS.get(ref[:3])
    if citation.system == IFRS:
        return _IFRS_TOPICS.get(ref.split(".")[0])
    if citation.system == PRE:
        return _PRE_TOPICS.get(ref)
    if citation.system == SK:
        if ref.startswith("10(e)"):
            return "non_gaap"
        if ref.startswith(("303(b)(1)", "303(a)(1)", "303(a)(2)")):
            return "mdna_liquidity"
        number = int(re.match(r"\d+", ref).group()) if re.match(r"\d+", ref) else 0
        if 1200 <= number < 1500:
            return "industry_specific"
        return _SK_ITEMS.get(number) or ("transaction_terms" if number in _TRANSACTION_ITEMS else None)
    if citation.system == SX:
        if ref.startswith("Article 11") or re.match(r"3-(?:0[1-9]|1[0-4])|8-0[4-8]|2-0", ref):
            return "financial_statement_requirements"
        if ref.startswith("4-10"):
            return "industry_specific"
        return "statement_presentation" if ref.startswith(("5-02", "5-03", "5-04", "4-08")) else None
    if citation.system == CDI:
        return "non_gaap" if ref[:4] in ("100.", "101.", "102.", "103.", "104.") else None
    if citation.system == SAB:
        return _SAB_TOPICS.get(ref) or _SAB_TOPICS.get(ref.rsplit(".", 1)[0] if "." in ref else ref)
    if citation.system == RULE:
        if ref.startswith(("14a", "14c")):
            return "governance_proxy"
        if ref.startswith(("13e", "14d", "14e", "162", "165")):
            return "transaction_terms"
        if ref in ("83", "406", "24b-2", "405"):
            return "filing_mechanics"
    return None


@dataclass(frozen=True, slots=True)
class TopicLabel:
    topic: str
    method: str  # citation | text | heading | form | default
    confidence: float
    evidence: str


_PROXY_FORM = re.compile(r"14A|14C|PREC|PREM|DFAN|DEFA|DEFC|DEFM|PRRN|PRER|proxy|soliciting", re.I)
# mergers, tender offers, going-private transactions: a comment that names no subject is about the deal
_TRANSACTION_FORM = re.compile(r"S-4|F-4|SC ?TO|SCHEDULE TO|13E|14D|\b425\b|DEFM|PREM|offer|10-12|FORM 10\b", re.I)
# in a merger's, offer's or spin-off's filing, what the deal itself is called is a question about its terms
_DEAL_WORDS = re.compile(r"\bthe (?:proposed )?(?:mergers?|transactions?|offer|exchange offer|distribution|separation|"
                         r"spin.off|consent solicitation|reorganization|business combination)\b|prospective financial|"
                         r"comparison of (?:stockholder|shareholder) rights|exclusive forum|conditions? (?:to|of) the|"
                         r"standalone company|tender(?:ing|ed)? (?:holders|shares|securities)|premium|"
                         r"(?:stockholders|shareholders|holders) (?:will|would) receive|tax treatment|"
                         r"(?:tax.free|taxable) (?:distribution|reorganization|spin)", re.IGNORECASE)
_EARNINGS_FORM = re.compile(r"8-K|6-K", re.I)
# sections of a filing that are a topic themselves: a comment on goodwill under "Critical Accounting Estimates" is
# about the estimate's disclosure too, one under "Unaudited Pro Forma ..." about the pro forma requirements
_SECTION_TOPICS = (("critical_accounting_estimates", re.compile(r"critical accounting", re.I)),
                   ("financial_statement_requirements", re.compile(r"\bpro forma\b", re.I)))
_STRONG, _CITED, _HEADING, _PATH, _WEAK, _BACKGROUND = 1.0, 1.5, 0.8, 0.4, 0.3, 0.6
# "your business, financial condition and results of operations": a formula, not a question about MD&A
_FORMULA = re.compile(r"(?:business|operations|liquidity)?,?\s*(?:financial (?:condition|position)|cash flows?),?\s+"
                      r"(?:and|or)\s+(?:the\s+)?results of operations|results of operations,? (?:and|or) "
                      r"financial (?:condition|position)", re.IGNORECASE)
# Topics about a subject of their own outrank the sections they are asked in: a climate comment under an MD&A
# heading is about climate
_EVIDENCE_RANK = {"citation": 4, "text": 3, "heading": 2, "form": 1}
_QUOTED_TITLE = re.compile(r"^\s*[\"“]")
SPECIFIC = frozenset({"climate_esg", "cybersecurity", "china_based_issuers", "non_gaap", "industry_specific",
                      "revenue", "income_taxes", "segments", "goodwill_intangibles_impairment", "kpis_metrics"})
SECTIONS = frozenset({"mdna_results", "business_properties_legal", "risk_factors", "statement_presentation"})
# A request: the sentences that ask for something. "We note your disclosure of X" only sets the scene.
_REQUEST = re.compile(r"\b(?:please|tell us|explain|revise|disclose|provide|clarify|describe|advise|discuss|"
                      r"quantify|expand|consider|confirm|address|identify|include|reconcile|show|state|remove|"
                      r"file|present|support|why|how|whether)\b", re.IGNORECASE)
_REQUEST_LOWER = re.compile(_REQUEST.pattern)
_SENTENCE = re.compile(r"[^.?!;]+(?:[.?!;]+|$)")
_FORM_NAME = re.compile(r"\b(?:Form|Schedule)\s+[\w-]+|proxy statement|registration statement|soliciting material",
                        re.IGNORECASE)


def _sentences(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, asks for something) of each sentence of a comment."""
    lowered = text.lower()
    if len(lowered) != len(text):  # ('İ'.lower() is two characters): test each sentence on its own
        return [(m.start(), m.end(), bool(_REQUEST.search(m.group()))) for m in _SENTENCE.finditer(text)]
    # the request words are lower case: searched in the lowered text, case-sensitive, they are found at C speed
    return [(m.start(), m.end(), bool(_REQUEST_LOWER.search(lowered, m.start(), m.end())))
            for m in _SENTENCE.finditer(text)]


def request_and_background(text: str) -> tuple[str, str]:
    """The sentences of a comment that ask for something, and the others."""
    sentences = _sentences(text)
    return (" ".join(text[s:e] for s, e, asks in sentences if asks),
            " ".join(text[s:e] for s, e, asks in sentences if not asks))


def classify_comment(text: str, heading_path: list[str] | None, citations: list[Citation],
                     reviewed_forms: list[str] | None = None) -> list[TopicLabel]:
    """The topics of one staff comment, best first (at most three); never empty."""
    text = text or ""
    if "results of operations" in text.lower():  # every match of the formula has these words
        text = _FORMULA.sub(" ", text)
    path = [h for h in heading_path or [] if h]
    heading = path[-1] if path else ""
    outer = " | ".join(path[:-1])
    scores: dict[str, float] = {}
    evidence: dict[str, tuple[float, str, str]] = {}  # topic -> (weight, method, words) of its best signal
    worded: set[str] = set()  # topics the comment's own words name (strongly)

    def vote(topic: str, weight: float, method: str, words: str) -> None:
        scores[topic] = scores.get(topic, 0.0) + weight
        rank = _EVIDENCE_RANK[method] + weight / 10  # a citation says most exactly what decided, then words
        if rank > evidence.get(topic, (0.0, "", ""))[0]:
            evidence[topic] = (rank, method, words.strip()[:200])

    for citation in citations:
        if topic := citation_topic(citation):
            vote(topic, _CITED, "citation", citation.raw)
            worded.add(topic)
    sentences = _sentences(text)
    request = " ".join(text[start:end] for start, end, asks in sentences if asks)
    starts = [start for start, _, _ in sentences]

    def asked_and_noted(matches: list[re.Match[str]]) -> tuple[list[re.Match[str]], list[re.Match[str]]]:
        """The matches in sentences that ask for something, and those in the others (one scan of the text)."""
        asked, noted = [], []
        for match in matches:
            i = bisect.bisect_right(starts, match.start()) - 1
            if i >= 0 and match.end() <= sentences[i][1]:
                (asked if sentences[i][2] else noted).append(match)
        return asked, noted

    present = _TEXT_FINDER.present(text.lower())
    strong_cues, weak_cues = _active(_STRONG_INDEX, present), _active(_WEAK_INDEX, present)
    in_heading = _active(_HEADING_INDEX, _HEADING_FINDER.present(heading.lower()))
    in_outer = _active(_HEADING_INDEX, _HEADING_FINDER.present(outer.lower()))
    quoted = bool(_QUOTED_TITLE.match(heading))
    cued = strong_cues.keys() | weak_cues.keys() | in_heading.keys() | in_outer.keys()
    for topic in TOPICS:
        if topic.key not in cued:
            continue
        strong = strong_cues.get(topic.key)
        asked, noted = asked_and_noted(_cue_matches(strong, text)) if strong else ([], [])
        if asked or noted:
            weight = (_STRONG if asked else _BACKGROUND) + 0.2 * min(len(asked) + len(noted) - 1, 3)
            vote(topic.key, weight, "text", (asked or noted)[0].group(0))
            worded.add(topic.key)
        elif topic.key in weak_cues and (weak := _cue_matches(weak_cues[topic.key], text)):
            vote(topic.key, _WEAK, "text", weak[0].group(0))
        if topic.heading is not None:
            if quoted and topic.key != "risk_factors":
                continue  # a heading in quotes is a risk factor's title: it says the comment is about a risk factor
            if heading and any(cue.search(heading) for cue in in_heading.get(topic.key, ())):
                vote(topic.key, _HEADING, "heading", heading)
            elif outer and any(cue.search(outer) for cue in in_outer.get(topic.key, ())):
                vote(topic.key, _PATH, "heading", outer)
    # the filing the comment is about: the outer heading that names one ("Definitive Proxy Statement on Schedule
    # 14A"), else the Re: block's when it names only one kind
    named = [h for h in path[:-1] if _FORM_NAME.search(h)]
    forms = named[-1:] if named else list(reviewed_forms or ())
    proxy = bool(forms) and all(_PROXY_FORM.search(form or "") for form in forms)
    if any(_TRANSACTION_FORM.search(form or "") for form in forms):
        deal = list(_DEAL_WORDS.finditer(request or text))
        if deal:
            vote("transaction_terms", _STRONG, "text", deal[0].group(0))
            worded.add("transaction_terms")
        else:
            vote("transaction_terms", _PATH, "form", f"a comment on the {forms[0]}")
    if proxy:  # soliciting material: every comment is about the proxy, and maybe about a subject too
        vote("governance_proxy", _STRONG, "form", f"a comment on the {forms[0]}")
    for topic, section in _SECTION_TOPICS:  # a section whose every comment is about it, and about its subject
        if named_section := next((h for h in path if section.search(h)), None):
            vote(topic, _CITED, "heading", named_section)
            worded.add(topic)
    chosen = [t for t in scores if scores[t] >= _STRONG and (t in worded or (t == "governance_proxy" and proxy))]
    if not chosen:  # the request names no topic: what the comment notes, or its headings, decide
        best = max(scores.values(), default=0.0)
        chosen = [t for t in scores if scores[t] >= max(_BACKGROUND, 0.75 * best)]
    if not chosen:  # nothing but an outer heading or a passing mention: still better than no topic
        best = max(scores.values(), default=0.0)
        chosen = [t for t in scores if scores[t] >= max(_PATH, 0.75 * best)]
    if not chosen:
        named_forms = " ".join(forms)
        for pattern, topic in ((_TRANSACTION_FORM, "transaction_terms"), (_EARNINGS_FORM, "non_gaap")):
            if pattern.search(named_forms):
                return [TopicLabel(topic, "form", 0.4, f"a comment on the {named_forms}")]
        return [TopicLabel(OTHER, "default", 0.3, "")]
    chosen.sort(key=lambda t: (-scores[t], t))
    if any(t in SPECIFIC and t in worded for t in chosen):  # a section only counts when asked about as such
        chosen = [t for t in chosen if t not in SECTIONS or scores[t] >= _STRONG + 0.4] or chosen
    top = scores[chosen[0]]
    chosen = [t for t in chosen if scores[t] >= 0.6 * top][:3]
    if "critical_accounting_estimates" in chosen and len(chosen) == 1:
        # the disclosure's subject is a topic too: take the best-supported other one, if any
        rest = sorted((t for t in scores if t != "critical_accounting_estimates" and scores[t] >= _HEADING),
                      key=lambda t: -scores[t])
        chosen += rest[:1]
    return [TopicLabel(t, evidence[t][1], round(min(1.0, scores[t] / 2.5), 2), evidence[t][2]) for t in chosen]
