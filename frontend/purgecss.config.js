// PurgeCSS (make assets, Dockerfile): static/vendor/kern/kern.min.css keeps only the rules of
// KERN UX's kern.min.css whose selectors the portal can produce. A class, element, id or
// attribute counts as used when its name appears as a word in one of the content files:
// the templates and the Python that could emit markup. docs/frontend.md has the details.
module.exports = {
  css: ["node_modules/@kern-ux/native/dist/kern.min.css"],
  content: [
    "templates/**/*.html",
    "*/templates/**/*.html",
    // Every app of docs/architecture.md's layout (tests/portal/test_assets.py holds this list,
    // the Makefile's APPS and the layout to one another).
    "{core,municipalities,identity,catalog,payments,legal,cases,citizen,district,portal}/**/*.py",
    "static/js/**/*.js",
  ],
  skippedContentGlobs: ["**/migrations/**"],
  safelist: {
    standard: [
      // Class names a template assembles from pieces, so that no single word in the file
      // is the whole name: templates/payments/_choices.html writes
      // kern-btn--{% if … %}primary{% else %}secondary{% endif %}.
      // tests/portal/test_assets.py fails when a template does this without an entry here.
      /^kern-btn--(primary|secondary)$/,
    ],
  },
};
