"""The form engine: one place for every rule of a service's form (docs/architecture.md).

- `fields.py`: the form as data (`Field`, `steps_of`, `fields_of`);
- `types.py`: one class per field type, registered by name (parse, validate, page widget,
  display in the page's language);
- `validation.py`: answers checked against fields (`validate_values`), definitions checked
  for mistakes (`schema_errors`);
- `uploads.py`: files checked on their bytes and against the field's limit."""
