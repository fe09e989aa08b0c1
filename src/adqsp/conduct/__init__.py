"""Trial conduct: what a trial does to every arm beside the drug (taking part, the diary's expectation, rescue
treatment), declared apart from the skin's biology so a trial design can change it without touching the disease."""
