"""The calibration's candidate parameters and their bounds, apart from the calibration itself so that the
command line can check a parameter name without importing the optimiser."""

from __future__ import annotations

#: parameter -> (lower, upper) bound of its typical value
FITTED: dict[str, tuple[float, float]] = {
    "exposure_les": (1.0, 30.0),
    "exposure_non_ratio": (0.05, 0.9),
    "trial_effect": (0.01, 2.0),
    "flare_amplitude": (0.01, 0.8),
    "th2_drive": (0.002, 0.2),
    "th22_drive": (0.005, 0.5),
    "th22_autonomous": (0.001, 0.3),
    "area_half": (0.2, 30.0),
    "area_hill": (0.8, 6.0),
    "sign_erythema_gain": (0.1, 5.0),
    "sign_induration_gain": (0.1, 5.0),
    "itch_half": (0.1, 10.0),
    "itch_neuron": (0.1, 20.0),
    "itch_other": (0.01, 5.0),
    "itch_expectation": (0.01, 2.0),
    "sign_half": (0.2, 8.0),
    "sign_hill": (0.5, 4.0),
    "iga_exponent": (0.2, 3.0),
    "iga_scale": (2.0, 8.0),
    "epidermis_il22": (0.05, 5.0),
    "tewl_gain": (0.5, 20.0),
    "signature_stat6_weight": (0.5, 30.0),
    "stat6_half_keratinocyte": (0.02, 2.0),
    "stat6_half_lymphocyte": (0.005, 1.0),
    "stat6_half_sensory_neuron": (0.01, 1.0),
    "rescue_improvement_pct": (5.0, 75.0),
    "rescue_rate": (0.01, 2.0),
    # between-patient spread (log-SD) that shapes the responder distributions
    "trial_effect.log_sd": (0.2, 2.0),
    "th22_drive.log_sd": (0.2, 2.0),
    "th2_drive.log_sd": (0.2, 2.0),
    "th22_autonomous.log_sd": (0.3, 2.5),
    "area_half.log_sd": (0.1, 1.5),
    "itch_other.log_sd": (0.2, 2.0),
    "itch_expectation.log_sd": (0.2, 2.5),
}
