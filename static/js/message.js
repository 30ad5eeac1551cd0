// 'Tell my IRO something', enhanced: keep the draft as the child types (and keep the session
// alive while they write). Without this script the form still sends, once, even after a lock.

const form = document.getElementById('child-message')
if (form && form.dataset.draftUrl && window.fetch) {
  const csrf = form.querySelector('input[name="csrf_token"]').value
  const box = form.querySelector('textarea[name="body"]')
  const status = form.querySelector('.portal-draft-status')
  const WAIT_MS = 1500
  let timer
  let lastSaved = box.value
  const show = (text) => { if (status) status.textContent = text || '' }

  const save = async () => {
    const body = box.value
    if (body === lastSaved) return
    show(form.dataset.textSaving)
    try {
      const response = await fetch(form.dataset.draftUrl, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf, Accept: 'application/json' },
        body: JSON.stringify({ body })
      })
      const answer = await response.json()
      if (response.ok && answer.status === 'saved') {
        lastSaved = body
        show(answer.message)
      } else {
        show(answer.message || form.dataset.textNotSaved)
      }
    } catch (error) {
      show(form.dataset.textNotSaved)
    }
  }

  box.addEventListener('input', () => {
    clearTimeout(timer)
    timer = setTimeout(save, WAIT_MS)
  })
  box.addEventListener('blur', save)
}
