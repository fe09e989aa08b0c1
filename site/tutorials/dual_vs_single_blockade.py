# # Dual versus single blockade in one patient
#
# Dupilumab binds IL-4Ra: it blocks IL-4 through the type I receptor and IL-4 and IL-13 through the type II
# receptor. Tralokinumab binds IL-13 only. The same patient under each, at the label regimens, shows where the two
# differ: IL-4 keeps signalling through the type I receptor of lymphocytes under the IL-13 antibody.
#
# The typical parameters give a mild patient (EASI about 1), so this patient has twice and a half the typical
# trigger exposure: moderate-to-severe disease, as a trial would enrol.

import adqsp

severe = {"exposure_les": 2.5 * adqsp.build_model(None).parameter("exposure_les").value}
columns = ["time_days", "easi", "itch_nrs", "les_lymphocyte_type1", "les_keratinocyte_type2", "les_type2_activity"]
courses = {}
for drug in ("dupilumab", "tralokinumab"):
    regimen = adqsp.Regimen.from_entries(adqsp.LABEL_DOSES[drug])
    courses[drug] = adqsp.time_course(drug, regimen, weeks=16, step_days=28, overrides=severe)[columns]
    print(drug)
    print(courses[drug].round(3).to_string(index=False))

# Type I signalling on lymphocytes at week 16, as a fraction of day 0: dupilumab blocks it, the IL-13 antibody
# leaves it (IL-4 signals through IL-4Ra and gamma-c).
for drug, course in courses.items():
    left = course.les_lymphocyte_type1.iloc[-1] / course.les_lymphocyte_type1.iloc[0]
    print(f"{drug}: type I complexes on lymphocytes at week 16 = {left:.2f} of day 0")
