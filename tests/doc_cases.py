"""An inline caseload that reaches every document kind (used until and beside sample-cases)."""

CASES = {
    "cases/an-nguyen/case.yaml": """\
        id: an-nguyen
        status: active
        opened: 2026-03-02
        person:
          name: Nguyễn Văn An
          preferred_name: An
          birth_date: 2003-04-14
          language: vi
          interpreter: true
          plain_language: true
          phone: "+1 408 555 0142"
          representative: {name: Trần Thị Mai, relationship: mother, phone: "+1 408 555 0199"}
        identifiers: {uci: "7654321", dor_case: DOR-55-1234}
        staff: {navigator: jsmith, ces: ktran, counselor: jsmith}
        enrollments:
          ca-dds-ccp:
            basis: exiting-secondary-education
            school_exit: 2027-06-10
            start: 2026-03-02
            authorized_until: 2027-03-01
            subcodes: [NAV, CES]
            regional_center: San Andreas Regional Center
            service_coordinator: Maria Lopez
          ca-dor-vr:
            applied: 2026-09-01
            presumptive: ssi
          ca-dor-se:
            type: individual
            start: 2026-06-01
            extended_services_source: San Andreas Regional Center
        jobs:
          - {employer: Sunrise Bakery, title: Baker assistant, start: 2026-09-15, hours_per_week: 20, wage: 18.50, currency: USD, integrated: true, program: ca-dor-se}
        """,
    "cases/an-nguyen/plan.yaml": """\
        own_words: I want to bake bread and have my own money.
        strengths: [punctual, loves baking]
        interests: [food service]
        barriers: [transport]
        supports: [bus pass, mother helps with mornings]
        goals:
          - id: g1
            area: employment
            statement: Work part-time at a bakery, early shifts
            own_words: Early is best for me.
            objectives:
              - {id: g1.o1, text: Finish discovery profile, due: 2026-05-01, done: 2026-04-28}
              - {id: g1.o2, text: Two informational interviews, due: 2026-07-01, done: 2026-08-20}
              - {id: g1.o3, text: Learn the bus route to work, due: 2026-12-15}
          - id: g2
            area: community
            statement: Join a cooking class at the community center
            objectives: []
        services:
          - {name: Discovery, program: ca-dds-ccp, provider: ktran, start: 2026-03-10, due: 2026-05-01, done: 2026-04-28}
          - {name: Job coaching, program: ca-dor-se, provider: ktran, start: 2026-09-15}
        """,
    "cases/an-nguyen/events/2026-11-03-monthly-review.yaml": """\
        date: 2026-11-03
        type: monthly-review
        by: jsmith
        program: ca-dds-ccp
        summary: Reviewed progress; An wants early shifts.
        """,
    "cases/an-nguyen/events/2026-08-20-contact.yaml": """\
        date: 2026-08-20
        type: contact
        by: ktran
        summary: Informational interview at a bakery.
        """,
    "cases/an-nguyen/referrals/2026-09-01-dor.yaml": """\
        date: 2026-09-01
        to: DOR San Jose District
        kind: dor-application
        follow_up: 2026-10-31
        """,
    "cases/an-nguyen/referrals/2026-10-05-interp.yaml": """\
        date: 2026-10-05
        to: County Language Line
        kind: interpreter
        """,
    "cases/olga-ivanova/case.yaml": """\
        id: olga-ivanova
        person:
          name: Иванова Ольга Петровна
          birth_date: 1985-02-11
          language: ru
          phone: "+7 855 255 0101"
        identifiers: {snils: "112-233-445 95"}
        staff: {curator: reva}
        enrollments:
          ru-czn-disability:
            registered: 2026-03-02
            curator: reva
            disability: {group: 3, cause: общее заболевание, set_on: 2025-07-14, until: 2027-08-01, reexamination: 2027-07-01}
            ipra:
              number: "1533.33.16/2025"
              protocol_date: 2025-12-02
              received: 2025-12-10
              measures_due: 2026-12-01
              recommended: [работа с цифрами]
              contraindicated: [тяжёлый физический труд]
              measures:
                - {name: Профессиональная ориентация, from: 2026-03-13, to: 2026-12-01, executor: ГКУ ЦЗН г. Набережные Челны, done: 2026-04-01, result: Рекомендованы профессии бухгалтерского учёта}
                - {name: Содействие в трудоустройстве, from: 2026-03-13, to: 2026-12-01, executor: ГКУ ЦЗН г. Набережные Челны}
        """,
    "cases/olga-ivanova/plan.yaml": """\
        services:
          - {name: Профессиональная ориентация, program: ru-czn-disability, due: 2026-04-01, done: 2026-04-01, result: Проведена}
          - {name: Психологическая поддержка безработных граждан, program: ru-czn-disability, due: 2026-05-23}
        """,
    "cases/olga-ivanova/referrals/2026-04-10-izgelek.yaml": """\
        date: 2026-04-10
        to: ГАУСО ЦРИ «Изгелек»
        kind: psychological-support
        documents: [passport, work-record-book, ipra, consent]
        consent: agreed
        follow_up: 2026-05-10
        """,
    "cases/maria-lopez/case.yaml": """\
        id: maria-lopez
        person:
          name: María López
          language: es
          email: maria@example.org
        staff: {counselor: jsmith}
        enrollments:
          ca-dor-vr:
            applied: 2026-05-04
            eligibility:
              status: ineligible
              decided: 2026-06-30
              notice: {sent: 2026-07-01, reasons: true, rights: true, cap_info: false}
        """,
}
