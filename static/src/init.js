// Entry point for the page's JavaScript, loaded by templates/base.html as an
// ES module (no inline script, for the Content Security Policy). Copied next to
// govuk-frontend.min.js by scripts/build-static.mjs.
import { initAll } from './govuk-frontend.min.js'

// GOV.UK Frontend's own snippet for this is an inline script; set it here.
document.body.classList.add('govuk-frontend-supported')

initAll()

// Sign-out warning. The server signs a person out after SESSION_IDLE_MINUTES without a
// request (safeguarding/middleware.py), but typing a long update makes no request. So:
// typing, clicking or scrolling in the page tells the server the person is still here (at
// most every five minutes), and when the limit is two minutes away with nothing done, a
// banner says so and offers to stay signed in. Nothing is reloaded: typed text stays put.
function sessionTimeout () {
  const body = document.body
  const warning = document.getElementById('app-timeout-warning')
  const minutes = Number(body.dataset.idleMinutes)
  const url = body.dataset.keepaliveUrl
  if (!warning || !minutes || !url) return

  const limit = minutes * 60 * 1000
  const warnBefore = Math.min(2 * 60 * 1000, limit / 4)
  const activityEvery = Math.min(5 * 60 * 1000, limit / 3)
  const message = document.getElementById('app-timeout-message')
  let lastRequest = Date.now()
  let lastActivity = 0
  let signedOut = false

  function keepAlive () {
    // A signed-out session answers with a redirect to the sign-in page: not "ok".
    return fetch(url, { credentials: 'same-origin', cache: 'no-store', redirect: 'manual' })
      .then(function (response) {
        if (response.ok) {
          lastRequest = Date.now()
          warning.hidden = true
        }
      })
      .catch(function () {})
  }

  ['keydown', 'input', 'pointerdown', 'scroll'].forEach(function (name) {
    window.addEventListener(name, function () { lastActivity = Date.now() }, { passive: true })
  })
  document.getElementById('app-timeout-stay').addEventListener('click', keepAlive)

  window.setInterval(function () {
    if (signedOut) return
    const now = Date.now()
    if (lastActivity > lastRequest && now - lastRequest > activityEvery) {
      keepAlive()
      return
    }
    const left = limit - (now - lastRequest)
    if (left <= 0) {
      signedOut = true
      message.textContent = 'You have been signed out because you had not done anything for ' +
        minutes + ' minutes. Copy anything you typed and not saved before you sign in again.'
      document.getElementById('app-timeout-stay').hidden = true
      warning.hidden = false
    } else if (left <= warnBefore && warning.hidden) {
      warning.hidden = false
    }
  }, 10 * 1000)
}

sessionTimeout()
