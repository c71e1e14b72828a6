// "Preparing the pack" for BMG pack downloads (templates/plans/meetings/*.html).
// The PDF is made while the browser waits, which can take a few seconds for a long pack; the
// link stays a plain link (it works without JavaScript), this only says that something is
// happening. Loaded as an external module: the Content Security Policy forbids inline script.
for (const link of document.querySelectorAll('[data-pack-download]')) {
  link.addEventListener('click', () => {
    let status = link.parentElement.querySelector('.app-pack-status')
    if (!status) {
      status = document.createElement('p')
      status.className = 'govuk-body app-pack-status'
      status.setAttribute('role', 'status')
      link.insertAdjacentElement('afterend', status)
    }
    status.textContent = 'Preparing the pack. Your browser will download it in a few seconds.'
    // The page stays open (the PDF is an attachment): clear the message after a while.
    window.setTimeout(() => { status.textContent = '' }, 20000)
  })
}
