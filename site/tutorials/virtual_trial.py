# # A virtual trial and its responder rates
#
# The embedded SOLO 1 design (placebo, dupilumab every 2 weeks and every week, 16 weeks), smaller than the default
# 1,000 patients per arm so that it runs in seconds, and its week-16 endpoints beside the published values.

import dataclasses

import adqsp

scenario = dataclasses.replace(adqsp.load_scenario("solo1"), patients_per_arm=100, seed=7)
result = adqsp.run_trial(scenario)
endpoints = result.endpoints()
week16 = endpoints[(endpoints.week == 16) & endpoints.endpoint.isin(["EASI75", "IGA01", "NRS4"])]
print(week16.to_string(index=False))

# Every patient's observed scores per visit are in result.patients (also written as patients.parquet by
# `adqsp trial`): for instance the median EASI % change of each arm at week 16, rescued patients included (the
# responder rates above count them as non-responders).
last = result.patients[result.patients.week == 16]
print(last.groupby("arm").EASI_pct_change.median().round(1))
