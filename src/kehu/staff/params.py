from kehu.core.params import ParamSpec

PARAMS = [
    ParamSpec("staff.weights", {"attitude": 25, "process": 25, "quality": 30, "infosec": 20}, "points", "proposed",
              "domain spec 8 P-5 (S8 五: attitude, process, quality, information security)",
              "Weights of the four dimensions of the monthly scorecard.", dict),
    ParamSpec("staff.quality_weights", {"sla": 40, "fcr": 30, "csat": 30}, "points", "proposed",
              "domain spec 8 P-5 (quality: time limits met, first-contact resolution, CSAT)",
              "Weights inside the quality dimension; a part without data that month is left out.", dict),
    ParamSpec("staff.infosec_violation_penalty", 50, "points", "proposed", "domain spec 8 P-5 (no violations)",
              "Points taken off the information-security score for each recorded violation.", int),
    ParamSpec("staff.infosec_no_training_penalty", 30, "points", "proposed", "domain spec 8 P-5 (training done)",
              "Points taken off the information-security score when the month's training was not done.", int),
    ParamSpec("staff.improvement_threshold", 70, "points", "proposed", "domain spec 8 P-3 (poor performers interviewed)",
              "A total below this opens an improvement interview task.", int),
    ParamSpec("staff.commendation_threshold", 90, "points", "proposed", "domain spec 8 P-3 (good performers commended)",
              "A total at or above this puts the employee on the commendation list.", int),
    ParamSpec("staff.interview_due_days", 10, "days", "proposed", "domain spec 8 P-3",
              "The improvement interview is due this many days after the scorecard is computed.", int),
    ParamSpec("staff.score_working_day", 5, "working day", "proposed", "Appendix B staff.scorecard (monthly)",
              "The scheduled job scores the previous month on this working day.", int),
]
