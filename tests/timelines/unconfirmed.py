"""The facts of the processes added by issue 16 that ship as labelled UNCONFIRMED defaults
(the regulation text was not read), by the milestone that rests on them."""

#: Facts shipped as labelled defaults because the regulation's text was not read.
ISSUE_16_UNCONFIRMED = [
    ("england-reassessment", "decision_to_reassess"),
    ("england-reassessment", "advice_due"),
    ("england-tribunal-order", "reconsideration"),
    ("england-tribunal-order", "amended_plan"),
    ("england-tribunal-order", "school_named"),
    ("england-tribunal-order", "continue_to_maintain"),
    ("england-tribunal-order", "continued_plan_amended"),
    ("england-mediation-agreement", "reconsideration"),
    ("england-mediation-agreement", "amended_plan"),
    ("england-mediation-agreement", "school_named"),
    ("england-mediation-agreement", "continue_to_maintain"),
    ("england-mediation-agreement", "continued_plan_amended"),
    ("england-unopposed-appeal", "school_named"),
    ("england-unopposed-appeal", "draft_plan"),
    ("england-unopposed-appeal", "final_plan"),
    ("england-mediation", "health_bodies_told"),
    ("england-mediation", "mediation_held"),
    ("england-mediation", "adviser_told"),
    ("england-mediation", "deemed_certificate"),
    ("england-mediation", "appeal_deadline"),
    ("england-cease", "representations_due"),
    ("england-cease", "decision_notice"),
    ("england-cease", "appeal_deadline"),
]
