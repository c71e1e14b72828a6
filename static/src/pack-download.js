// "Preparing the pack" for BMG pack downloads (templates/plans/meetings/*.html).
// A pack already made downloads at once; one still to be made opens the page that follows its
// render (oversight/renders.py). The link stays a plain link (it works without JavaScript),
// this only says that something is happening. Loaded as an external module: the Content Security Policy forbids inline script.
for (const link of document.querySelectorAll('[data-pack-download]')) {
  link.addEventListener('click', () => {
    let status = link.parentElement.querySelector('.app-pack-status')
    if (!status) {
      status = document.createElement('p')
      status.className = 'govuk-body app-pack-status'
      status.setAttribute('role', 'status')
      link.insertAdjacentElement('afterend', status)
    }
    status.textContent = 'Getting the pack: it downloads if it is ready, or a page shows how it is getting on.'
    // The page stays open (the PDF is an attachment): clear the message after a while.
    window.setTimeout(() => { status.textContent = '' }, 20000)
  })
}
