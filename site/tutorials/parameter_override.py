# # What a parameter changes
#
# Any declared parameter (`adqsp params` lists them with units and sources) can be overridden for a time course,
# a population or a whole scenario (`[parameters]` in a scenario file). Here the IL-4 made per type 2 cell, an
# assumed number, is doubled: dupilumab blocks IL-4, so the drug's effect barely moves, while the IL-13 antibody's
# patient keeps more type I signalling.

import adqsp

severe = {"exposure_les": 2.5 * adqsp.build_model(None).parameter("exposure_les").value}
base_il4 = adqsp.build_model(None).parameter("il4_per_th2").value
for drug in ("dupilumab", "tralokinumab"):
    regimen = adqsp.Regimen.from_entries(adqsp.LABEL_DOSES[drug])
    for factor in (1.0, 2.0):
        course = adqsp.time_course(
            drug, regimen, weeks=16, step_days=112, overrides={**severe, "il4_per_th2": factor * base_il4}
        )
        day0, week16 = course.iloc[0], course.iloc[-1]
        print(
            f"{drug:13s} il4_per_th2 x{factor:g}: EASI {day0.easi:5.1f} -> {week16.easi:5.1f},"
            f" lymphocyte type I {week16.les_lymphocyte_type1 / day0.les_lymphocyte_type1:.2f} of day 0"
        )
