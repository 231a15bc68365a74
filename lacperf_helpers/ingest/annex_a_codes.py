"""Annex A's columns and code lists, as the LIIA pipeline's published schema names and accepts them.

Source: SocialFinanceDigitalLabs/liia-tools, `liiatools/annex_a_pipeline/spec/Annex_A_schema.yml` (commit
a042cd5582ea), and its predecessors `liiatools/spec/annex_a/annex-a-merge.yml` and `data-map.yml` (commit
0dd821c2968f): each column's canonical name, the header patterns that name it too, and each code's full
form ("a) Yes", "V2: Single period under S20"), its name ("Yes", "Single period under S20") and the patterns
that read as it ("Y", "S20"). lacperf keeps the bare code (V2, U3, WBRI, PR4) or, where Ofsted's code is only
a letter and a phrase, the name. Where a LIIA pattern is mistyped (`/.*single.*/speriod.*/`: `/s` for `\\s`),
lacperf reads it as meant; a pattern that would accept anything (Type of Accommodation C's `.*[^r]`) is left
out, and the patterns of a code that another's contain ("suitable" in "unsuitable") are tried after the other's.
See docs/annex-a-measures.md.

Every name here is a contract: the measures, the timescales and the synthetic data import them from here.
"""

from __future__ import annotations

from dataclasses import dataclass

# --- the lists lacperf reads -------------------------------------------------------------------------------
LIST_8, LIST_9, LIST_10, LIST_11 = 8, 9, 10, 11  # children in care, care leavers, adoption, adopters
LISTS = (LIST_8, LIST_9, LIST_10, LIST_11)

# --- column names (LIIA's canonical names) -----------------------------------------------------------------
CHILD_ID = "Child Unique ID"
GENDER = "Gender"
ETHNICITY = "Ethnicity"
DATE_OF_BIRTH = "Date of Birth"
AGE = "Age of Child (Years)"
DISABILITY = "Does the Child have a Disability"
ALLOCATED_TEAM = "Allocated Team"
ALLOCATED_WORKER = "Allocated Worker"
# List 8: children in care
UASC = "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)"
STARTED_LOOKED_AFTER = "Date Started to be Looked After"
CATEGORY_OF_NEED = "Child's Category of Need"
SUBSEQUENT_PERIOD = (
    "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)"
)
LEGAL_STATUS_START = "Start date of current legal status"
LEGAL_STATUS = "Child's Legal Status"
LATEST_REVIEW = "Date of Latest Statutory Review"
LAST_SOCIAL_WORK_VISIT = "Date of Last Social Work Visit"
PERMANENCE_PLAN = "What is the permanence plan for this child?"
LAST_IRO_VISIT = "Date of Last IRO Visit / Contact to the Child"
LAST_HEALTH_ASSESSMENT = "Date of Last Health Assessment"
LAST_DENTAL_CHECK = "Date of Last Dental Check"
PLACEMENTS_12_MONTHS = "Number of Placements in the Last 12 months"
CEASED_LOOKED_AFTER = "Date Ceased to be Looked After"
REASON_CEASED = "Reason Ceased to be Looked After"
PLACEMENT_START = "Start Date of Most Recent Placement"
PLACEMENT_TYPE = "Placement Type"
PLACEMENT_PROVIDER = "Placement Provider"
PLACEMENT_POSTCODE = "Placement postcode"
PLACEMENT_URN = "URN of Placement"
PLACEMENT_LOCATION = "Placement Location"
PLACEMENT_LA = "LA of Placement"
MISSING_12_MONTHS = "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months"
ABSENT_12_MONTHS = "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months"
RETURN_INTERVIEW_OFFERED = "Was the child offered a Return Interview after their last missing episode (Y/N)?"
RETURN_INTERVIEW_ACCEPTED = "Did the child accept a Return Interview after their last missing episode (Y/N)?"
# List 9: care leavers
UASC_LEAVER = "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)"
PERSONAL_ADVISER = "Allocated Personal Advisor"
ELIGIBILITY = "Eligibility Category"
LATEST_PATHWAY_PLAN_REVIEW = "Latest Pathway Plan Review Date"
IN_TOUCH = "LA in Touch"
LATEST_CONTACT = "Latest Date of Contact"
ACCOMMODATION = "Type of Accommodation"
SUITABILITY = "Suitability of Accommodation"
ACTIVITY = "Activity Status"
# List 10: children with an adoption decision
FAMILY_ID = "Family identifier"
ENTERED_CARE = "Date the Child Entered Care"
ADOPTION_DECISION = "Date of Decision that Child Should be Placed for Adoption"
PLACEMENT_ORDER = "Date of Placement Order"
MATCHED = "Date of Matching Child and Prospective Adopters"
PLACED_FOR_ADOPTION = "Date Placed for Adoption"
ADOPTION_ORDER = "Date of Adoption Order"
NO_LONGER_ADOPTION_DECISION = "Date of Decision that Child Should No Longer be Placed for Adoption"
NO_LONGER_ADOPTION_REASON = "Reason Why Child No Longer Placed for Adoption"
PLACED_FFA = "Date the child was placed for fostering in FFA or concurrent planning placement"
# List 11: adopters
ADOPTER_ID = "Individual adopter identifier"
ADOPTER_DISABILITY = "Disability"
ADOPTER_FFA = "Is the (prospective) adopter fostering for adoption?"
ENQUIRY = "Date enquiry received"
STAGE_1_STARTED, STAGE_1_ENDED = "Date Stage 1 started", "Date Stage 1 ended"
STAGE_2_STARTED, STAGE_2_ENDED = "Date Stage 2 started", "Date Stage 2 ended"
APPLICATION_SUBMITTED, APPLICATION_APPROVED = "Date application submitted", "Date application approved"
ADOPTER_MATCHED = "Date adopter matched with child(ren)"
ADOPTER_PLACED = "Date child/children placed with adopter(s)"
CHILDREN_PLACED = "No. of children placed"
LEFT_PROCESS, LEFT_PROCESS_REASON = "Date of leaving adoption process", "Reason for leaving adoption process"


# --- code lists ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Code:
    """One code: what lacperf keeps (`code`), Ofsted's full form, its name, and the patterns (matched from
    the start of the value, any case) that read as it."""

    code: str
    full: str
    name: str
    patterns: tuple[str, ...] = ()


def _codes(*rows: tuple[str, str, str, tuple[str, ...]]) -> tuple[Code, ...]:
    return tuple(Code(*row) for row in rows)


YES_NO = _codes(
    ("Yes", "a) Yes", "Yes", (r"y", r"a\)")),
    ("No", "b) No", "No", (r"n", r"b\)")),
    ("Unknown", "c) Unknown", "Unknown", (r"unkn", r"c\)")),  # read as blank: not known
)
GENDERS = _codes(
    ("F", "b) Female", "F", (r".*fem", r"b\)")),
    ("M", "a) Male", "M", (r"mal", r"a\)")),
    ("Not stated/recorded", "c) Not stated/recorded", "Not stated/recorded",
     (r"not", r".*unknown", r".*indeterminate", r"c\)")),
    ("Neither", "d) Neither", "Neither", (r"d\)",)),
)  # fmt: skip
ETHNICITIES = _codes(
    ("WBRI", "a) WBRI", "White British", (r".*whi.*british", r"a\)")),
    ("WIRI", "b) WIRI", "White Irish", (r".*whi.*\sir", r"b\)")),
    ("WIRT", "c) WIRT", "Traveller of Irish heritage", (r"tra.*\sirish", r"c\)")),
    ("WOTH", "d) WOTH", "Any other White background", (r".*oth.*\swhi", r"d\)")),
    ("WROM", "e) WROM", "Gypsy/Roma", (r"gy", r".*roma", r"e\)")),
    ("MWBC", "f) MWBC", "White and Black Caribbean", (r"w.*\sb.*\sca", r"f\)")),
    ("MWBA", "g) MWBA", "White and Black African", (r"w.*\sb.*\saf", r"g\)")),
    ("MWAS", "h) MWAS", "White and Asian", (r"w.*\sa", r"h\)")),
    ("MOTH", "i) MOTH", "Any other Mixed background", (r".*oth.*\smix", r"i\)")),
    ("NOBT", "s) NOBT", "Information not yet obtained", (r".*info", r".*not.*\sobtained")),  # before Indian's "in"
    ("AIND", "j) AIND", "Indian", (r"in", r"j\)")),
    ("APKN", "k) APKN", "Pakistani", (r"pak", r"k\)")),
    ("ABAN", "l) ABAN", "Bangladeshi", (r"ban", r"l\)")),
    ("AOTH", "m) AOTH", "Any other Asian background", (r".*asian", r"m\)")),
    ("BCRB", "n) BCRB", "Caribbean", (r"car", r"n\)")),
    ("BAFR", "o) BAFR", "African", (r"af", r"o\)")),
    ("BOTH", "p) BOTH", "Any other Black background", (r".*oth.*\sbl", r"p\)")),
    ("CHNE", "q) CHNE", "Chinese", (r"ch", r"q\)")),
    ("OOTH", "r) OOTH", "Any other ethnic group", (r".*oth.*\seth", r"r\)")),
    ("REFU", "s) REFU", "Refused", (r"ref", r".*did\snot\swish")),
)
LEGAL_STATUSES = _codes(
    ("E1", "E1: Placement order", "Placement order", (r".*simultaneous",)),
    ("C1", "C1: ICO", "ICO", (r".*interim\scare\sorder",)),
    ("C2", "C2: FCO", "FCO", (r".*full\scare\sorder",)),
    ("D1", "D1: Freeing order", "Freeing order", ()),
    ("V2", "V2: Single period under S20", "Single period under S20",
     (r".*s20", r".*single.*\speriod", r".*section\s20")),
    ("L1", "L1: Police protection LA accommodation", "Police protection LA accommodation", (r".*police",)),
    ("L2", "L2: EPO", "EPO", (r".*emergency", r".*protection.*\sorder")),
    ("L3", "L3: Child assessment order LA accommodation", "Child assessment order LA accommodation",
     (r".*child\sassessment",)),
    ("J1", "J1: Remanded to LA or youth detention", "Remanded to LA or youth detention",
     (r".*remand", r".*youth\sdetention")),
    ("J2", "J2: LA accommodation under PACE", "LA accommodation under PACE", (r".*pace",)),
    ("J3", "J3: Youth rehabilitation order", "Youth rehabilitation order", (r".*youth\srehabilit",)),
    ("V3", "V3: Short term breaks, episodes recorded", "Short term breaks, episodes recorded",
     (r".*episodes\srecorded",)),
    ("V4", "V4: Short term breaks, agreements recorded", "Short term breaks, agreements recorded",
     (r".*agreements\srecorded",)),
)  # fmt: skip
PLACEMENT_TYPES = _codes(
    ("U3", "c) U3: Foster placement - relative - not FFA", "Foster placement - relative - not FFA",
     (r".*foster.*relative.*\snot.*\sFFA",)),
    ("U6", "f) U6: Foster placement - not FFA", "Foster placement - not FFA", (r".*foster.*\snot.*\sFFA",)),
    ("U1", "a) U1: Foster placement - relatives - long term", "Foster placement - relatives - long term",
     (r".*foster.*relative.*\slong\sterm",)),
    ("U4", "d) U4: Foster placement - long term", "Foster placement - long term", (r".*foster.*\slong\sterm",)),
    ("U2", "b) U2: Foster placement - relative - FFA", "Foster placement - relative - FFA",
     (r".*foster.*relative.*\sFFA",)),
    ("U5", "e) U5: Foster placement - FFA", "Foster placement - FFA", (r".*foster.*\sFFA",)),
    ("A3", "g) A3: Placed for adoption - consent - current foster", "Placed for adoption - consent - current foster",
     (r".*adoption.*\sconsent.*\scurrent",)),
    ("A4", "h) A4: Placed for adoption - consent - not foster", "Placed for adoption - consent - not foster",
     (r".*adoption.*\sconsent.*\snot.*\sfoster",)),
    ("A6", "j) A6: Placed for adoption - order - not foster", "Placed for adoption - order - not foster",
     (r".*adoption.*\sorder.*\snot.*\sfoster",)),
    ("A5", "i) A5: Placed for adoption - order - foster", "Placed for adoption - order - foster",
     (r".*adoption.*\sorder.*\sfoster",)),
    ("P1", "k) P1: Placed with parents", "Placed with parents", (r".*place.*parents",)),
    ("P2", "l) P2: Independent living", "Independent living", ()),
    ("P3", "m) P3: Residential employment", "Residential employment", ()),
    ("H5", "n) H5: Residential accommodation", "Residential accommodation", (r".*semi.*independent.*living",)),
    ("K1", "o) K1: Secure Children's Homes", "Secure Children's Homes", ()),
    ("K2", "p) K2: Children's Homes", "Children's Homes", (r".*children.*homes",)),
    ("R1", "q) R1: Residential Care Home", "Residential Care Home", ()),
    ("R2", "r) R2: NHS/Health Trust", "NHS/Health Trust", (r".*NHS", r".*health.*\strust")),
    ("R3", "s) R3: Family Centre or Mother and Baby Unit", "Family Centre or Mother and Baby Unit",
     (r".*family.*\scentre", r".*mother\sand\sbaby")),
    ("R5", "t) R5: Young Offender Institution", "Young Offender Institution", (r".*offender",)),
    ("S1", "u) S1: Residential school", "Residential school", ()),
    ("Z1", "v) Z1: Other placements", "Other placements", (r".*other.*place",)),
    ("T1", "x) T1: Temporary placement - hospital", "Temporary placement - hospital", (r".*temporary.*hospital",)),
    ("T3", "z) T3: Temporary placement - carer holiday", "Temporary placement - carer holiday",
     (r".*temporary.*carer.*\sholiday",)),
    ("T2", "y) T2: Temporary placement - holiday", "Temporary placement - holiday", (r".*temporary.*holiday",)),
    ("T4", "zz) T4: Temporary placement - seven days or less", "Temporary placement - seven days or less",
     (r".*temporary.*seven",)),
    ("T0", "w) T0: Temporary placement", "Temporary placement", (r".*temporary",)),
)  # fmt: skip
PROVIDERS = _codes(
    ("PR0", "a) PR0: Parents/Parental responsibility", "Parents/Parental responsibility", (r".*parent",)),
    ("PR1", "b) PR1: Own provision", "Own provision", ()),
    ("PR2", "c) PR2: Other LA provision", "Other LA provision", ()),
    ("PR3", "d) PR3: Other public provision", "Other public provision", ()),
    ("PR4", "e) PR4: Private provision", "Private provision", ()),
    ("PR5", "f) PR5: Voluntary/third sector", "Voluntary/third sector", ()),
)
LOCATIONS = _codes(("In", "a) In", "In", (r"in",)), ("Out", "b) Out", "Out", (r"out",)))
NEEDS = _codes(
    ("N1", "N1 - Abuse or neglect", "Abuse or neglect", (r".*abuse", r".*neglect")),
    ("N2", "N2 - Child's disability", "Child's disability", ()),
    ("N3", "N3 - Parental disability or illness", "Parental disability or illness", ()),
    ("N4", "N4 - Family in acute stress", "Family in acute stress", ()),
    ("N5", "N5 - Family dysfunction", "Family dysfunction", ()),
    ("N6", "N6 - Socially unacceptable behaviour", "Socially unacceptable behaviour", ()),
    ("N7", "N7 - Low income", "Low income", ()),
    ("N8", "N8 - Absent parenting", "Absent parenting", ()),
    ("N9", "N9 - Cases other than children in need", "Cases other than children in need", ()),
)
ELIGIBILITIES = _codes(
    ("Relevant child", "a) Relevant child", "Relevant child", (r"a\)", r"rel[ae]v[ae]nt.*child")),
    ("Former relevant child", "b) Former relevant child", "Former relevant child", (r"b\)", r"former")),
    ("Qualifying care leaver", "c) Qualifying care leaver", "Qualifying care leaver",
     (r"c\)", r"qual", r"care", r"leaver")),
    ("Eligible child", "d) Eligible child", "Eligible child", (r"d\)", r"eligible")),
)  # fmt: skip
# LA in Touch, kept as SSDA903's OC3 IN_TOUCH codes
IN_TOUCH_CODES = _codes(
    ("YES", "a) Yes", "Y", (r"a\)", r"y")),
    ("NO", "b) No", "N", (r"b\)", r"n")),
    ("DIED", "c) Died", "Died", (r"c\)", r".*death", r"died")),
    ("REFU", "d) Refu", "Refu", (r"d\)", r".*refu")),
    ("NREQ", "e) NREQ", "NREQ", (r"e\)", r".*nreq")),
    ("RHOM", "f) Rhom", "Rhom", (r"f\)", r".*rhom")),
)
ACCOMMODATIONS = _codes(
    ("B", "B: Parents/relatives", "parents/relatives", (r"B:", r".*parents", r".*relatives")),
    ("C", "C: Community home/residential care", "community home/residential care",
     (r"C:", r".*community", r".*residential")),
    ("D", "D: Semi-independent, transitional accommodation and self-contained accommodation", "semi-independent",
     (r"D:", r".*semi", r".*transitional", r".*self-contained")),
    ("E", "E: Supported lodgings", "supported lodgings", (r"E:", r".*supported lodgings")),
    ("G", "G: Abroad", "abroad", (r"G:", r".*abroad")),
    ("H", "H: Deported", "deported", (r"H:", r".*deport")),
    ("K", "K: Ordinary lodgings, without formal support", "ordinary lodgings",
     (r"K:", r"ordinary", r".*without.*support")),
    ("R", "R: Residence not known", "not known", (r"R:", r".*residence not known", r".*unknown")),
    ("S", "S: No fixed adobe/homeless", "homeless", (r"S:", r".*no fixed", r".*homeless")),
    ("T", "T: Foyers and similar supported accommodation", "similar support accommodation",
     (r"T:", r".*foyers", r".*supported accommodation")),
    ("U", "U: Independent living", "independent living", (r"U:", r".*independent")),
    ("V", "V: Emergency accommodation", "emergency accommodation", (r"V:", r".*emergency")),
    ("W", "W: Bed and breakfast", "bed and breakfast", (r"W:", r".*bed", r".*breakfast")),
    ("X", "X: In custody", "custody", (r"X:", r".*custody")),
    ("Z", "Z: With former foster carers", "former foster carers", (r"Z:", r".*former", r".*foster", r".*carer")),
    ("Y", "Y: Other accommodation", "other accommodation", (r"Y:", r".*other")),
)  # fmt: skip
SUITABILITIES = _codes(  # unsuitable first: "suitable" is in "unsuitable" and "not suitable"
    ("Unsuitable", "b) Unsuitable", "unsuitable", (r"b\)", r".*unsuitable", r".*not")),
    ("Suitable", "a) Suitable", "suitable", (r"a\)", r".*suitable")),
)
ACTIVITIES = _codes(
    ("F1", "F1: Full time in higher education", "full time higher", (r".*full.*time(?!.*other)(?!.*not).*higher",)),
    ("P1", "P1: Part time in higher education", "part time higher", (r".*part.*time(?!.*other)(?!.*not).*higher",)),
    ("F2", "F2: Full time in education other than higher", "full time not higher",
     (r".*full.*time.*other.*higher", r".*full.*time.*not.*higher")),
    ("P2", "P2: Part time in education other than higher", "part time not higher",
     (r".*part.*time.*other.*higher", r".*part.*time.*not.*higher")),
    ("F3", "F3: Full time in training or employment", "full time training",
     (r".*full.*time.*training", r".*full.*time.*employment")),
    ("P3", "P3: Part time in training or employment", "part time training",
     (r".*part.*time.*training", r".*part.*time.*employment")),
    ("G4", "G4: Not in education, employment or training - illness or disability", "illness or disability",
     (r".*illness", r".*disability")),
    ("G5", "G5: Not in education, employment or training - other", "other", (r".*not.*other",)),
    ("G6", "G6: Not in education, employment or training - pregnancy or parenting", "pregnancy or parenting",
     (r".*pregnancy", r".*parenting")),
)  # fmt: skip


# --- each list's columns -------------------------------------------------------------------------------------
ID, TEXT, DATE, INTEGER, AGE_YEARS, YES_NO_KIND, CODED = "id", "text", "date", "integer", "age", "yes/no", "code"


@dataclass(frozen=True)
class Column:
    """A column of a list: its canonical name, what it holds, other headers that name it (patterns matched
    from the start of the header, any case), its code list, whether a blank is refused (the measures cannot
    place the child without it), whether an unreadable value is only warned about (no measure reads it), and
    whether a workbook may lack it (the schema's older version had no such column: read as blank)."""

    name: str
    kind: str
    headers: tuple[str, ...] = ()
    codes: tuple[Code, ...] = ()
    given: bool = False
    warn_only: bool = False
    optional: bool = False


def _list_8() -> tuple[Column, ...]:
    return (
        Column(CHILD_ID, ID, (r".*child.*id",), given=True),
        Column(GENDER, CODED, codes=GENDERS),
        Column(ETHNICITY, CODED, codes=ETHNICITIES),
        Column(DATE_OF_BIRTH, DATE, (r".*date.*birth",)),
        Column(AGE, AGE_YEARS, (r".*\bage\b",), warn_only=True),
        Column(UASC, YES_NO_KIND, (r".*unaccompanied asylum seeking child",), codes=YES_NO),
        Column(DISABILITY, YES_NO_KIND, codes=YES_NO, warn_only=True),
        Column(STARTED_LOOKED_AFTER, DATE, given=True),
        Column(CATEGORY_OF_NEED, CODED, (r".*child.*category of need",), codes=NEEDS, warn_only=True),
        Column(SUBSEQUENT_PERIOD, YES_NO_KIND, (r".*second or subsequent .* of being a looked after child",),
               codes=YES_NO, warn_only=True),
        Column(LEGAL_STATUS_START, DATE),
        Column(LEGAL_STATUS, CODED, (r".*child.*legal status",), codes=LEGAL_STATUSES),
        Column(LATEST_REVIEW, DATE),
        Column(LAST_SOCIAL_WORK_VISIT, DATE),
        Column(PERMANENCE_PLAN, TEXT),
        Column(LAST_IRO_VISIT, DATE),
        Column(LAST_HEALTH_ASSESSMENT, DATE),
        Column(LAST_DENTAL_CHECK, DATE),
        Column(PLACEMENTS_12_MONTHS, INTEGER),
        Column(CEASED_LOOKED_AFTER, DATE),
        Column(REASON_CEASED, TEXT),
        Column(PLACEMENT_START, DATE),
        Column(PLACEMENT_TYPE, CODED, codes=PLACEMENT_TYPES),
        Column(PLACEMENT_PROVIDER, CODED, codes=PROVIDERS),
        Column(PLACEMENT_POSTCODE, TEXT),
        Column(PLACEMENT_URN, TEXT),
        Column(PLACEMENT_LOCATION, CODED, codes=LOCATIONS),
        Column(PLACEMENT_LA, TEXT),
        Column(MISSING_12_MONTHS, INTEGER,
               (r".*number of episodes the child has been.*missing.*from their placement in the last 12 months",)),
        Column(ABSENT_12_MONTHS, INTEGER,
               (r".*number of episodes the child has been.*absent.*from their placement in the last 12 months",)),
        Column(RETURN_INTERVIEW_OFFERED, YES_NO_KIND, codes=YES_NO),
        Column(RETURN_INTERVIEW_ACCEPTED, YES_NO_KIND, codes=YES_NO),
        Column(ALLOCATED_TEAM, TEXT),
        Column(ALLOCATED_WORKER, TEXT),
    )  # fmt: skip


def _list_9() -> tuple[Column, ...]:
    return (
        Column(CHILD_ID, ID, (r".*child.*id",), given=True),
        Column(GENDER, CODED, codes=GENDERS),
        Column(ETHNICITY, CODED, codes=ETHNICITIES),
        Column(DATE_OF_BIRTH, DATE, (r".*date.*birth",)),
        Column(AGE, AGE_YEARS, (r".*\bage\b",), warn_only=True),
        Column(UASC_LEAVER, YES_NO_KIND, (r".*unaccompanied asylum seeking child",), codes=YES_NO, optional=True),
        Column(DISABILITY, YES_NO_KIND, codes=YES_NO, warn_only=True),
        Column(ALLOCATED_TEAM, TEXT),
        Column(ALLOCATED_WORKER, TEXT),
        Column(PERSONAL_ADVISER, TEXT, (r".*personal advis[eo]r",), optional=True),
        Column(ELIGIBILITY, CODED, (r"eligibi?l?i?ty category",), codes=ELIGIBILITIES),
        Column(LATEST_PATHWAY_PLAN_REVIEW, DATE, (r".*pathway plan",), optional=True),
        Column(IN_TOUCH, CODED, codes=IN_TOUCH_CODES),
        Column(LATEST_CONTACT, DATE, (r".*latest date of contact",), optional=True),
        Column(ACCOMMODATION, CODED, codes=ACCOMMODATIONS),
        Column(SUITABILITY, CODED, (r"suitability of accom",), codes=SUITABILITIES),
        Column(ACTIVITY, CODED, codes=ACTIVITIES),
    )  # fmt: skip


def _list_10() -> tuple[Column, ...]:
    return (
        Column(CHILD_ID, ID, (r".*child.*id",), given=True),
        Column(FAMILY_ID, TEXT),
        Column(GENDER, CODED, codes=GENDERS, warn_only=True),
        Column(ETHNICITY, CODED, codes=ETHNICITIES, warn_only=True),
        Column(DATE_OF_BIRTH, DATE, (r".*date.*birth",)),
        Column(AGE, AGE_YEARS, (r".*\bage\b",), warn_only=True),
        Column(DISABILITY, YES_NO_KIND, codes=YES_NO, warn_only=True),
        Column(ENTERED_CARE, DATE),
        Column(ADOPTION_DECISION, DATE),
        Column(PLACEMENT_ORDER, DATE),
        Column(MATCHED, DATE),
        Column(PLACED_FOR_ADOPTION, DATE),
        Column(ADOPTION_ORDER, DATE),
        Column(NO_LONGER_ADOPTION_DECISION, DATE),
        Column(NO_LONGER_ADOPTION_REASON, TEXT),
        Column(PLACED_FFA, DATE),
    )


def _list_11() -> tuple[Column, ...]:
    return (
        Column(ADOPTER_ID, ID, given=True),
        Column(FAMILY_ID, TEXT),
        Column(GENDER, CODED, codes=GENDERS, warn_only=True),
        Column(ETHNICITY, CODED, codes=ETHNICITIES, warn_only=True),
        Column(ADOPTER_DISABILITY, YES_NO_KIND, codes=YES_NO, warn_only=True),
        Column(ADOPTER_FFA, YES_NO_KIND, codes=YES_NO, warn_only=True),
        Column(ENQUIRY, DATE),
        Column(STAGE_1_STARTED, DATE),
        Column(STAGE_1_ENDED, DATE),
        Column(STAGE_2_STARTED, DATE),
        Column(STAGE_2_ENDED, DATE),
        Column(APPLICATION_SUBMITTED, DATE),
        Column(APPLICATION_APPROVED, DATE),
        Column(ADOPTER_MATCHED, DATE),
        Column(ADOPTER_PLACED, DATE),
        Column(CHILDREN_PLACED, INTEGER),
        Column(ADOPTION_ORDER, DATE),
        Column(LEFT_PROCESS, DATE),
        Column(LEFT_PROCESS_REASON, TEXT),
    )


COLUMNS: dict[int, tuple[Column, ...]] = {
    LIST_8: _list_8(), LIST_9: _list_9(), LIST_10: _list_10(), LIST_11: _list_11(),
}  # fmt: skip
# each list's key: one row per child (List 11: per adopter)
KEY: dict[int, str] = {LIST_8: CHILD_ID, LIST_9: CHILD_ID, LIST_10: CHILD_ID, LIST_11: ADOPTER_ID}
