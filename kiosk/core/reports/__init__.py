"""Progress and reports: the history screens' data, the weekly summary, the clinician's
report, FHIR, and the USB copy's outcomes."""
