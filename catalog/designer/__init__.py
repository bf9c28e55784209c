"""The service designer (docs/designer.md): district admins build and change services in
pages instead of JSON — details, steps, fields, conditions, a live preview (citizen app),
the changes against the published version, publishing, the FIM import, and the offerings
list with fees in euros."""
