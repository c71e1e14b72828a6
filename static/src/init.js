// Entry point for the page's JavaScript, loaded by templates/base.html as an
// ES module (no inline script, for the Content Security Policy). Copied next to
// govuk-frontend.min.js by scripts/build-static.mjs.
import { initAll } from './govuk-frontend.min.js'

// GOV.UK Frontend's own snippet for this is an inline script; set it here.
document.body.classList.add('govuk-frontend-supported')

initAll()
