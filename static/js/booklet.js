// The booklet, enhanced: save each answer as the child goes, and lock the page when left idle.
// Without this script every page still works with plain form posts.

const root = document.querySelector('[data-idle-minutes]')

// --- Idle lock: on a shared phone, answers must not stay on screen. --------------------------
if (root) {
  const minutes = Number(root.dataset.idleMinutes) || 10
  let timer
  const lock = () => {
    const message = root.querySelector('.portal-lock-message')
    document.body.classList.add('portal-locked')
    // Remove the answers, not only hide them: nobody can read them back from the page.
    root.querySelectorAll('.portal-lockable').forEach((area) => area.replaceChildren())
    if (message) {
      const text = document.createElement('p')
      text.className = 'govuk-body-l'
      text.textContent = root.dataset.lockMessage
      message.replaceChildren(text)
    }
  }
  const reset = () => {
    if (document.body.classList.contains('portal-locked')) return
    clearTimeout(timer)
    timer = setTimeout(lock, minutes * 60 * 1000)
  }
  ;['keydown', 'pointerdown', 'input', 'scroll', 'touchstart'].forEach((name) =>
    document.addEventListener(name, reset, { passive: true, capture: true }))
  reset()
}

// --- Saving as the child goes -----------------------------------------------------------------
const form = document.getElementById('booklet-answers')
if (form && form.dataset.autosaveUrl && window.fetch) {
  const csrf = form.querySelector('input[name="csrf_token"]').value
  const byName = (name) => document.querySelectorAll(`[name="${CSS.escape(name)}"][form="${form.id}"]`)
  const WAIT_MS = 1500

  const readAnswer = (block) => {
    const key = block.dataset.question
    const kind = block.dataset.kind
    if (kind === 'text' || kind === 'short') {
      const alternatives = [...byName(`${key}__alt`)].filter((box) => box.checked).map((box) => box.value)
      if (alternatives.includes('tell_iro')) return { state: 'tell_iro', value: null }
      if (alternatives.includes('skipped')) return { state: 'skipped', value: null }
      return { state: 'answered', value: byName(key)[0].value }
    }
    if (kind === 'pictures' || kind === 'checkboxes') {
      // Several ticked: a JSON list of their keys (the server puts them in the question's order).
      const ticked = [...byName(key)].filter((box) => box.checked).map((box) => box.value)
      if (ticked.includes('__tell_iro')) return { state: 'tell_iro', value: null }
      if (ticked.includes('__skipped')) return { state: 'skipped', value: null }
      return { state: 'answered', value: ticked.length ? JSON.stringify(ticked) : null }
    }
    const chosen = [...byName(key)].find((radio) => radio.checked)
    if (!chosen) return null
    if (chosen.value === '__skipped') return { state: 'skipped', value: null }
    if (chosen.value === '__tell_iro') return { state: 'tell_iro', value: null }
    return { state: 'answered', value: chosen.value }
  }

  const show = (block, text, isError) => {
    const status = block.querySelector('.portal-saved')
    if (!status) return
    status.textContent = text
    status.classList.toggle('portal-saved--error', Boolean(isError))
  }

  const save = async (block) => {
    const key = block.dataset.question
    const answer = readAnswer(block)
    if (!answer) return
    const version = byName(`${key}__version`)[0]
    const loaded = byName(`${key}__loaded`)[0]
    show(block, form.dataset.textSaving)
    let response, body
    try {
      response = await fetch(form.dataset.autosaveUrl, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf, Accept: 'application/json' },
        body: JSON.stringify({ question_key: key, state: answer.state, value: answer.value, version: Number(version.value) })
      })
      body = await response.json()
    } catch (error) {
      show(block, form.dataset.textNotSaved, true)
      return
    }
    if (body.status === 'saved') {
      version.value = body.version
      loaded.value = body.fingerprint
      show(block, form.dataset.textSaved)
      if (body.help_now) {
        // A worrying answer: open 'who to call now' at once, and bring it into view.
        const help = document.querySelector('details.portal-help')
        if (help) { help.open = true; help.scrollIntoView({ block: 'start' }) }
      }
    } else if (body.status === 'locked') {
      // The server locked the booklet: a plain post now keeps the words for the next Start.
      form.requestSubmit ? form.requestSubmit() : form.submit()
    } else {
      show(block, body.message || form.dataset.textNotSaved, true)
    }
  }

  document.querySelectorAll('[data-question]').forEach((block) => {
    // An answer with two versions waits for the child to choose, with the Save button.
    if (block.hasAttribute('data-conflict')) return
    let timer
    const later = (wait) => {
      clearTimeout(timer)
      timer = setTimeout(() => save(block), wait)
    }
    block.addEventListener('input', (event) => {
      if (event.target.matches('textarea, input[type="text"]')) later(WAIT_MS)
    })
    block.addEventListener('change', () => later(50))
    block.addEventListener('focusout', (event) => {
      if (event.target.matches('textarea, input[type="text"]')) later(50)
    })
  })
}
