// The IRO's letter, enhanced: save as the IRO types, and check each part for care words, long sentences
// and reading ease. A suggestion is applied only when the IRO clicks its button.
// Without this script the page works with plain form posts ("Save draft", "Check my letter").

const form = document.getElementById('letter-form')
if (form && window.fetch) {
  const csrf = form.querySelector('input[name="csrf_token"]').value
  const counterInput = form.querySelector('input[name="version_counter"]')
  const status = document.getElementById('letter-status')
  const number = Number(form.dataset.number)
  const SAVE_MS = 1500
  const CHECK_MS = 800
  let conflicted = false
  let saveTimer

  const post = (url, data) => fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf, Accept: 'application/json' },
    body: JSON.stringify(data)
  })

  const say = (text, isError) => {
    status.textContent = text
    status.classList.toggle('portal-saved--error', Boolean(isError))
  }

  const readFields = () => {
    const fields = {}
    form.querySelectorAll('textarea[data-part]').forEach((area) => { fields[area.name] = area.value })
    return fields
  }

  // "Who came": ticking an invited person adds their line to the box, un-ticking takes it out.
  const whoCame = form.querySelector('textarea[name="who_came"]')
  form.querySelectorAll('input[data-came]').forEach((box) => {
    box.addEventListener('change', () => {
      const lines = whoCame.value.split('\n').map((line) => line.trim()).filter(Boolean)
      const others = lines.filter((line) => line !== box.value)
      whoCame.value = (box.checked ? [box.value, ...others] : others).join('\n')
      whoCame.dispatchEvent(new Event('input', { bubbles: true }))
    })
  })

  const readActions = () => [...form.querySelectorAll('[data-action-row]')].map((row) => {
    const get = (suffix) => {
      const input = row.querySelector(`[name$="-${suffix}"]`)
      return input ? input.value : ''
    }
    return { what: get('what'), who: get('who'), by_when: get('by_when') }
  })

  const timeNow = () => {
    const now = new Date()
    return `${String(now.getHours()).padStart(2, '0')}:${String(now.getMinutes()).padStart(2, '0')}`
  }

  const save = async () => {
    if (conflicted) return
    say(form.dataset.savingLabel)
    let response, body
    try {
      response = await post(form.dataset.autosaveUrl, {
        counter: Number(counterInput.value), number, fields: readFields(), actions: readActions()
      })
      body = await response.json()
    } catch (error) {
      say(form.dataset.failedLabel, true)
      return
    }
    if (body.status === 'saved') {
      counterInput.value = body.counter
      say(`${form.dataset.savedLabel} ${timeNow()}`)
    } else if (body.status === 'conflict') {
      // Never overwrite someone else's newer save: stop saving and say so. "Save draft" shows both.
      conflicted = true
      say(body.message, true)
    } else {
      say(body.message || form.dataset.failedLabel, true)
    }
  }

  const saveSoon = (wait) => {
    clearTimeout(saveTimer)
    saveTimer = setTimeout(save, wait)
  }

  // Offsets from the server count characters (code points); a textarea's count UTF-16 units.
  const toUnits = (text, points) => Array.from(text).slice(0, points).join('').length

  const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, key) => String(values[key]))

  const showFindings = (area, box, result) => {
    const list = document.createElement('ul')
    list.className = 'govuk-list govuk-body-s portal-letter-check__list'
    const item = (text) => {
      const li = document.createElement('li')
      li.textContent = text
      list.appendChild(li)
      return li
    }
    result.jargon.forEach((found) => {
      const offered = found.options.length ? found.options : [found.suggestion]
      const li = item(`'${found.found}' — ${form.dataset.tryLabel} '${offered.join("', '")}'`)
      offered.forEach((words) => {
        const button = document.createElement('button')
        button.type = 'button'
        button.className = 'govuk-button govuk-button--secondary portal-letter-use'
        button.textContent = `${form.dataset.useLabel} '${words}'`
        button.addEventListener('click', () => {
          const text = area.value
          let start = toUnits(text, found.start)
          let end = toUnits(text, found.end)
          if (text.slice(start, end) !== found.found) {
            // The text moved since the check: use the nearest occurrence of the same word.
            start = text.indexOf(found.found)
            if (start < 0) return
            end = start + found.found.length
          }
          area.value = text.slice(0, start) + words + text.slice(end)
          area.focus()
          area.setSelectionRange(start + words.length, start + words.length)
          saveSoon(50)
          checkSoon(area, 50)
        })
        li.appendChild(document.createTextNode(' '))
        li.appendChild(button)
      })
    })
    result.long_sentences.forEach((sentence) => item(fill(form.dataset.longLabel, { n: sentence.words })))
    if (result.reading_ease !== null && result.target !== null) {
      const label = result.met ? form.dataset.easyLabel : form.dataset.hardLabel
      item(fill(label, { ease: result.reading_ease, target: result.target }))
    }
    // "Write a little more" under every short part is noise: notes only for longer text.
    if (result.words >= 10) result.notes.forEach((note) => item(note))
    if (!list.children.length) {
      if (result.words >= 10) item(form.dataset.clearLabel)
      else return box.replaceChildren()
    }
    box.replaceChildren(list)
  }

  const checkTimers = new Map()
  const check = async (area) => {
    const box = document.getElementById(`${area.name}-check`)
    if (!box || !form.dataset.checkUrl) return
    try {
      const response = await post(form.dataset.checkUrl, { field: area.name, text: area.value })
      if (!response.ok) return
      showFindings(area, box, await response.json())
    } catch (error) {
      // The check is help, not a requirement: "Check my letter" still works.
    }
  }
  const checkSoon = (area, wait) => {
    clearTimeout(checkTimers.get(area))
    checkTimers.set(area, setTimeout(() => check(area), wait))
  }

  form.querySelectorAll('textarea[data-part]').forEach((area) => {
    area.addEventListener('input', () => checkSoon(area, CHECK_MS))
    if (area.value.trim()) checkSoon(area, 0)
  })
  form.addEventListener('input', () => saveSoon(SAVE_MS))
  form.addEventListener('change', () => saveSoon(SAVE_MS))
  form.addEventListener('focusout', (event) => {
    if (event.target.matches('textarea, input')) saveSoon(50)
  })
  // A plain post (a button) saves everything itself: no autosave racing it.
  form.addEventListener('submit', () => clearTimeout(saveTimer))
}
