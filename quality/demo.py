"""NCSCP's QA programme and Section 11, for the demo (`manage.py load_demo_quality`).

Transcribed from the Nottingham City Safeguarding Children Board annual report 2016/17 (seed
002): the four audits the QA group completed in 2016/17 and what they found, the CAF
assurance prompted by the 2015/16 audit, the mock JTAI postponed for the Ofsted inspection,
the 2017/18 audit programme by quarter as the report tables it (subject, method, review link,
comment, with the quarter and date as written), the impact log's examples, and the Section 11
returns it reports (CityCare: compliant in 55 of 57 key lines of enquiry, 2 partial, 4.1 and
9.1; NUH's Markers of Good Practice with three amber items). Reviews are known by code
("Child J", "Child S"); no child is named.

The words are the report's. The report dates the completed audits and the impact log only by
year ("during 2016/17"), so they are dated at the end of that year, 31 March 2017 (the CAF
audit, "conducted in 2015/16", at 31 March 2016); the programme keeps each date as written
beside the date read from it. The RAG updates and evidence of the audit actions are the
demo's (dated relative to today). The loader records everything now, after the demo's last
BMG deadline, so the next pack reports the audits and the impact log as new to the group.
"""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from plans.models import Action, Agency, Group, Partnership, save_by
from plans.updates import record_update
from reviews.models import CaseReview, Evidence

from .models import (
    Audit,
    AuditRecommendation,
    Finding,
    ImpactEntry,
    LineOfEnquiry,
    QaGroup,
    Section11Cycle,
    SelfAssessment,
)

QA_SLUG = "ncscp-childrens-qa"
CITY = "Nottingham City Council"
CCG = "NHS Nottingham City Clinical Commissioning Group"
NUH = "Nottingham University Hospitals NHS Trust"
CITYCARE = "Nottingham CityCare Partnership"
POLICE = "Nottinghamshire Police"
YEAR_END = date(2017, 3, 31)  # "during 2016/17"

M = Audit.Method
S = Audit.Status
G = Finding.Grade

# 2016/17: subject, method, date reported (None: not reported), status,
# findings [(grade, text)], recommendations [(text, finding no., action, lead, timescale,
# rating, comment, evidence)], note.
DONE = [
    (
        "Child Sexual Exploitation",
        M.CASE_FILE,
        YEAR_END,
        S.REPORTED,
        [(G.DEVELOPMENT, "A lack of clarity about the use of the CSE Toolkit.")],
        [
            (
                "The use of the CSE Toolkit requires further attention.",
                1,
                "Dip test CSE Toolkit compliance, linked to the findings of this audit.",
                "CSE Co-Ordinator and NCSCB Officer",
                "November 2017",
                "green",
                "Dip test scheduled in the 2017/18 programme for Q3.",
                "",
            )
        ],
        "",
    ),
    (
        "Out of hours referrals to Children's Social Care Emergency Duty Team (EDT)",
        M.CASE_FILE,
        YEAR_END,
        S.REPORTED,
        [],
        [],
        "",
    ),
    (
        "Quality of plans for cases where the concern was physical abuse",
        M.CASE_FILE,
        YEAR_END,
        S.REPORTED,
        [(G.DEVELOPMENT, "The need for further work to be undertaken by Children's Social Care.")],
        [
            (
                "Children's Social Care to undertake further work on the quality of plans.",
                1,
                "Further work on the quality of plans, undertaken by Children's Social Care.",
                "Children's Social Care",
                "",
                "complete",
                "Done; significant improvement noted.",
                "Significant improvement noted (Quality of Plans audit, QA group).",
            )
        ],
        "",
    ),
    (
        "Medical Neglect",
        M.CASE_FILE,
        YEAR_END,
        S.REPORTED,
        [
            (
                G.STRENGTH,
                "Reassurance of the positive impact of the 'Was Not Brought' film "
                "(Ref. SCR Child S).",
            )
        ],
        [],
        "",
    ),
    (
        "Mock JTAI",
        M.EXERCISE,
        None,
        S.CANCELLED,
        [],
        [],
        "A planned mock JTAI was postponed due to the Ofsted Inspection of Children's Services "
        "in 2017.",
    ),
]

# The 2017/18 programme as tabled: quarter, date as written, planned date, subject, method,
# review code, link as written, comment, follows up (subject of an earlier audit).
PROGRAMME = [
    (
        1,
        "Q1 29 June 2016",
        (2016, 6, 29),
        "CROSS AUTHORITY Intra familial sexual abuse",
        M.CASE_FILE,
        None,
        "",
        "Co- ordinated with the County",
        None,
    ),
    (
        2,
        "Q2 28September 2017",
        (2017, 9, 28),
        "Children placed under SGO",
        M.CASE_FILE,
        "Child J",
        "",
        "To include both children recently placed and those in placement for some time",
        None,
    ),
    (
        3,
        "Q3 November 2017",
        (2017, 11, 1),
        "Dip test CSE re toolkit compliance",
        M.DIP_TEST,
        None,
        "Linked to findings of earlier audit",
        "To be undertaken by CSE Co-Ordinator and NCSCB Officer",
        "Child Sexual Exploitation",
    ),
    (
        3,
        "Q3 November 2017",
        (2017, 11, 1),
        "Mock JTAI",
        M.EXERCISE,
        None,
        "To test JTAI process",
        "Project plan to be developed separately",
        None,
    ),
    (
        4,
        "Q4 25 January 2018",
        (2018, 1, 25),
        "Children who go missing",
        M.CASE_FILE,
        None,
        "Inspection/Children in Care.",
        "Focus will be Children in Care.",
        None,
    ),
    (
        4,
        "Q4 29 March 2018",
        (2018, 3, 29),
        "Working with complex families",
        M.CASE_FILE,
        "Child J",
        "Family P (C)",
        "",
        None,
    ),
]

# The impact log's examples, all "during 2016/17": (what changed, evidence, audit subject).
IMPACT = [
    ("Development of a clear data set against which to manage performance.", "", None),
    (
        "Evidence of increased awareness by Health of Private Fostering placements.",
        "Private Fostering survey",
        None,
    ),
    (
        "Increased awareness of the role of Community Health Nurses and capacity for "
        "safeguarding activity in Nottingham City.",
        "",
        None,
    ),
    (
        "The CSE audit report indicated a lack of clarity about the use of the CSE Toolkit "
        "which required further attention (see the audit programme).",
        "CSE audit report",
        "Child Sexual Exploitation",
    ),
    (
        "A case file audit tool for Schools has been developed by the QA Group Education "
        "representative, for greater consistency in the auditing of education files and a "
        "reference point for schools.",
        "The case file audit tool for Schools",
        None,
    ),
    (
        "The medical neglect audit provided reassurance of the positive impact of the "
        "'Was Not Brought' film (Ref. SCR Child S).",
        "Medical neglect audit",
        "Medical Neglect",
    ),
    (
        "The Quality of Plans audit identified the need for further work by Children's Social "
        "Care, which was done, and significant improvement noted.",
        "Quality of Plans audit",
        "Quality of plans for cases where the concern was physical abuse",
    ),
]


class Loader:
    def __init__(self, partnership, officer, today):
        self.partnership, self.by, self.today = partnership, officer, today
        self.qa = Group.objects.filter(slug=QA_SLUG).first()
        self.audits = {}
        self.made = []

    def save(self, obj):
        return save_by(obj, self.by)

    def review(self, code, kind):
        found = CaseReview.objects.filter(partnership=self.partnership, code=code).first()
        if found is None:
            found = self.save(
                CaseReview(
                    partnership=self.partnership,
                    code=code,
                    kind=kind,
                    title=code,
                    status=CaseReview.Status.PUBLISHED,
                )
            )
        return found

    def audit(self, **fields):
        audit = self.save(
            Audit(
                partnership=self.partnership,
                lead_text="Quality Assurance sub-group",
                lead_group=self.qa,
                **fields,
            )
        )
        self.audits.setdefault(fields["subject"], audit)
        self.made.append(audit)
        return audit

    def done(self, row):
        subject, method, reported_on, status, findings, recommendations, note = row
        audit = self.audit(
            subject=subject,
            method=method,
            year="2016/17",
            timing_text="2016/17",
            status=status,
            status_note=note,
            reported_on=reported_on,
            summary=" ".join(text for _, text in findings),
        )
        made = [
            self.save(Finding(audit=audit, number=n, grade=grade, text=text))
            for n, (grade, text) in enumerate(findings, start=1)
        ]
        for n, rec in enumerate(recommendations, start=1):
            self.recommendation(audit, n, made[rec[1] - 1], rec)
        return audit

    def recommendation(self, audit, number, finding, row):
        text, _, action_text, lead, timescale, rating, comment, evidence = row
        parent = self.save(
            AuditRecommendation(audit=audit, number=number, text=text, finding=finding)
        )
        action = Action(parent=parent, position=1, text=action_text, lead_text=lead)
        action.timescale = timescale
        action.save_edit(by=self.by, lead_groups=[self.qa] if self.qa else [])
        record_update(
            action,
            rating=rating,
            comment=comment,
            as_of=self.today + timedelta(days=-20),
            by=self.by,
            is_demo=True,
        )
        if evidence:
            self.save(
                Evidence(
                    action=action,
                    summary=evidence,
                    seen_on=self.today + timedelta(days=-20),
                    recorded_by=self.by,
                )
            )

    def programme(self, row):
        quarter, when, day, subject, method, code, link, comment, follows = row
        review = self.review(code, CaseReview.Kind.SCR) if code else None
        return self.audit(
            subject=subject,
            method=method,
            year="2017/18",
            quarter=quarter,
            timing_text=when,
            planned_on=date(*day),
            review=review,
            theme=link,
            scope_note=comment,
            follow_up_of=self.audits.get(follows) if follows else None,
        )

    def impact(self, row):
        change, evidence, subject = row
        self.save(
            ImpactEntry(
                partnership=self.partnership,
                recorded_on=YEAR_END,
                change=change,
                evidence=evidence,
                audit=self.audits.get(subject),
            )
        )


def agency(name, partnership, kind=Agency.Kind.HEALTH):
    found = Agency.objects.filter(name=name).first()
    if found is None:
        found = Agency.objects.create(name=name, kind=kind)
    found.partnerships.add(partnership)
    return found


CITYCARE_LINES = [
    ("4.1", "Level 2 training for Adults services was introduced late 2015."),
    (
        "9.1",
        "Building work on going at UCC impacting on patient experience. Childrens area "
        "available in UCC. Paediatric lead in UCC number of staff undertaking paediatrics "
        "course.",
    ),
]
NUH_AMBER = [
    "Can NUH evidence the impact of SCR recommendations on current practice?",
    "To ensure all new starters access training within the given timescale",
    "To ensure the organisation takes into account the views of fathers this was a new "
    "measure following a recent serious case review recommendation.",
]


def load_section11(loader):
    """The 2016 Section 11 returns the report gives, and each agency's actions for 2017/18."""
    cycle = loader.save(
        Section11Cycle(
            partnership=loader.partnership,
            name="Section 11 self-assessment 2016",
            deadline=date(2016, 6, 30),
            notes="The Quality Assurance sub-group analyses and reports the outcomes of "
            "Section 11 audits to the NCSCB and partner agencies.",
        )
    )
    load_citycare(loader, cycle)
    load_nuh(loader, cycle)
    return cycle


def load_citycare(loader, cycle):
    citycare = loader.save(
        SelfAssessment(
            cycle=cycle,
            agency=agency(CITYCARE, loader.partnership),
            tool="Section 11 Self Assurance Framework",
            submitted_on=date(2016, 6, 30),
            lines_total=57,
            compliant=55,
            partial=2,
            not_compliant=0,
            summary="S11 submitted June 2016. CityCare self-assessed as compliant in 55 out of "
            "57 key lines of enquiry. Remaining 2 have partial compliance.",
        )
    )
    for number, text in CITYCARE_LINES:
        loader.save(
            LineOfEnquiry(
                assessment=citycare,
                number=number,
                text=text,
                rating=LineOfEnquiry.Rating.PARTIAL,
                comment="Working towards.",
            )
        )
    s11_action(
        citycare,
        "Section 11 Self Assurance Framework to be submitted in June 2017, envisaged to have "
        "full compliance as both 4.1 and 9.1 are now compliant.",
        "Nottingham CityCare Partnership",
        "June 2017",
        loader.by,
    )


def load_nuh(loader, cycle):
    nuh = loader.save(
        SelfAssessment(
            cycle=cycle,
            agency=agency(NUH, loader.partnership),
            tool="Markers of Good Practice",
            submitted_on=date(2016, 5, 31),
            summary="Overall NUH compliance was good (submission rated green). There are three "
            "areas rated amber and these will be reviewed and monitored via the Safeguarding "
            "Children's Committee.",
        )
    )
    for number, text in enumerate(NUH_AMBER, start=1):
        loader.save(
            LineOfEnquiry(
                assessment=nuh,
                number=f"Amber {number}",
                text=text,
                rating=LineOfEnquiry.Rating.PARTIAL,
                comment="Rated amber; reviewed and monitored via the Safeguarding Children's "
                "Committee.",
            )
        )
    s11_action(
        nuh,
        "Review and monitor the three amber items via the Safeguarding Children's Committee.",
        "Safeguarding Children's Committee",
        "Ongoing",
        loader.by,
    )


def s11_action(assessment, text, lead, timescale, by):
    action = Action(parent=assessment, position=assessment.next_action_position(), text=text)
    action.lead_text, action.timescale = lead, timescale
    action.save_edit(by=by, lead_agencies=[assessment.agency])
    return action


@transaction.atomic
def load_quality(short_name="NCSCP"):
    """NCSCP's QA programme, impact log and Section 11; nothing is made twice."""
    partnership = Partnership.objects.get(short_name=short_name)
    if Audit.objects.filter(partnership=partnership).exists():
        return []
    officer = get_user_model().objects.filter(username="officer").first()
    loader = Loader(partnership, officer, timezone.localdate())
    if loader.qa and not QaGroup.objects.filter(partnership=partnership).exists():
        loader.save(QaGroup(partnership=partnership, group=loader.qa))
    for row in DONE:
        loader.done(row)
    caf = loader.audit(
        subject="Quality of Common Assessment Framework (CAF) assessments",
        method=M.CASE_FILE,
        year="2015/16",
        timing_text="2015/16",
        status=S.REPORTED,
        reported_on=date(2016, 3, 31),
        summary="Highlighted the need for organisations to take responsibility for the quality "
        "of CAFs conducted by their workforce.",
    )
    finding = loader.save(
        Finding(
            audit=caf,
            number=1,
            grade=G.DEVELOPMENT,
            text="Organisations need to take responsibility for the quality of CAFs conducted "
            "by their workforce.",
        )
    )
    loader.recommendation(
        caf,
        1,
        finding,
        (
            "Partner agencies to assure the QA group of their Quality Assurance processes for "
            "the CAF.",
            1,
            "Seek assurance from partner agencies in respect of Quality Assurance processes for "
            "the Common Assessment Framework (CAF).",
            "Quality Assurance sub-group",
            "2016/17",
            "complete",
            "Assurance was sought from partner agencies during 2016/17.",
            "Assurance sought from partner agencies (annual report 2016/17).",
        ),
    )
    for row in PROGRAMME:
        loader.programme(row)
    for row in IMPACT:
        loader.impact(row)
    load_section11(loader)
    return loader.made
