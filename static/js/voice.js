// Voice notes: record in the browser (up to 2 minutes, with a countdown), then send with fetch.
// Without MediaRecorder or a microphone the plain file form in _voice.html stays and does the same job.

const PREFERRED_TYPES = ['audio/webm;codecs=opus', 'audio/webm', 'audio/mp4', 'audio/ogg;codecs=opus']
// 64 kbit/s keeps 2 minutes near 1 MB, well inside the server's 2 MB cap.
const BITS_PER_SECOND = 64000

function chooseType () {
  if (typeof window.MediaRecorder.isTypeSupported !== 'function') return ''
  return PREFERRED_TYPES.find((type) => window.MediaRecorder.isTypeSupported(type)) || ''
}

function extensionFor (type) {
  if (type.includes('mp4')) return 'm4a'
  if (type.includes('ogg')) return 'ogg'
  return 'webm'
}

function formatTime (seconds) {
  const minutes = Math.floor(seconds / 60)
  const rest = String(seconds % 60).padStart(2, '0')
  return `${minutes}:${rest}`
}

function csrfToken (root) {
  if (root.dataset.csrfToken) return root.dataset.csrfToken
  const input = root.querySelector('input[name="csrf_token"]')
  return input ? input.value : ''
}

async function deleteNote (root, control, url, body, token, say) {
  try {
    const response = await fetch(url, {
      method: 'POST',
      body,
      headers: { Accept: 'application/json', 'X-CSRFToken': token },
      credentials: 'same-origin'
    })
    const result = await response.json()
    if (response.ok && result.ok) {
      control.closest('.portal-voice-note').remove()
    }
    say(result.message || root.dataset.textFailed)
  } catch (error) {
    say(root.dataset.textFailed)
  }
}

function setUpDeleteForms (root, say) {
  root.querySelectorAll('form[data-voice-delete]').forEach((form) => {
    if (form.dataset.voiceReady) return
    form.dataset.voiceReady = 'true'
    form.addEventListener('submit', (event) => {
      event.preventDefault()
      deleteNote(root, form, form.action, new FormData(form), csrfToken(form), say)
    })
  })
  // On a section page the delete button belongs to the answer form (so that without JavaScript the typed
  // words are saved with it); with JavaScript it deletes on its own, and the answers save themselves.
  root.querySelectorAll('button[data-voice-delete-button]').forEach((button) => {
    if (button.dataset.voiceReady) return
    button.dataset.voiceReady = 'true'
    button.addEventListener('click', (event) => {
      event.preventDefault()
      deleteNote(root, button, button.formAction, new FormData(), csrfToken(root), say)
    })
  })
}

function setUp (root) {
  const recorderBox = root.querySelector('[data-voice-recorder]')
  const startButton = root.querySelector('[data-voice-start]')
  const stopButton = root.querySelector('[data-voice-stop]')
  const countdown = root.querySelector('[data-voice-countdown]')
  const status = root.querySelector('[data-voice-status]')
  const fallback = root.querySelector('[data-voice-fallback]')
  const notes = root.querySelector('[data-voice-notes]')
  const maxSeconds = parseInt(root.dataset.maxSeconds, 10) || 120
  const maxBytes = parseInt(root.dataset.maxBytes, 10) || 2 * 1024 * 1024
  const text = root.dataset

  const say = (message) => { status.textContent = message || '' }
  setUpDeleteForms(root, say)

  if (!window.MediaRecorder || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return

  recorderBox.hidden = false
  fallback.hidden = true

  let recorder = null
  let stream = null
  let chunks = []
  let ticker = null
  let stopTimer = null
  let secondsLeft = maxSeconds
  let stoppedAtLimit = false

  const showCountdown = () => {
    countdown.textContent = text.textTimeLeft.replace('{time}', formatTime(secondsLeft))
  }

  const finishUi = () => {
    clearInterval(ticker)
    clearTimeout(stopTimer)
    const hadFocus = document.activeElement === stopButton
    stopButton.hidden = true
    startButton.hidden = false
    if (hadFocus) startButton.focus()
    countdown.hidden = true
    if (stream) stream.getTracks().forEach((track) => track.stop())
    stream = null
  }

  const upload = async (blob, type) => {
    if (blob.size > maxBytes) {
      say(text.textTooBig)
      return
    }
    say(text.textSending)
    const body = new FormData()
    body.append('audio', blob, `voice-note.${extensionFor(type)}`)
    body.append('next', window.location.pathname)
    try {
      const response = await fetch(root.dataset.voiceUpload, {
        method: 'POST',
        body,
        headers: { Accept: 'application/json', 'X-CSRFToken': csrfToken(root) },
        credentials: 'same-origin'
      })
      if (response.status === 413) {
        say(text.textTooBig)
        return
      }
      const result = await response.json()
      if (response.ok && result.ok) {
        notes.insertAdjacentHTML('beforeend', result.html)
        setUpDeleteForms(root, say)
        say((stoppedAtLimit ? text.textStoppedAtLimit + ' ' : '') + result.message)
      } else {
        say(result.message || text.textFailed)
      }
    } catch (error) {
      say(text.textFailed)
    }
  }

  const start = async () => {
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true })
    } catch (error) {
      recorderBox.hidden = true
      fallback.hidden = false
      say(text.textNoMicrophone)
      return
    }
    const type = chooseType()
    const options = { audioBitsPerSecond: BITS_PER_SECOND }
    if (type) options.mimeType = type
    try {
      recorder = new window.MediaRecorder(stream, options)
    } catch (error) {
      recorder = new window.MediaRecorder(stream)
    }
    chunks = []
    stoppedAtLimit = false
    recorder.addEventListener('dataavailable', (event) => {
      if (event.data && event.data.size > 0) chunks.push(event.data)
    })
    recorder.addEventListener('stop', () => {
      finishUi()
      const recordedType = recorder.mimeType || type || 'audio/webm'
      upload(new Blob(chunks, { type: recordedType }), recordedType)
    })
    recorder.start()
    secondsLeft = maxSeconds
    startButton.hidden = true
    stopButton.hidden = false
    countdown.hidden = false
    showCountdown()
    say(text.textRecording)
    stopButton.focus()
    ticker = setInterval(() => {
      secondsLeft = Math.max(0, secondsLeft - 1)
      showCountdown()
    }, 1000)
    // The 2-minute limit lives here: the server cannot read a WebM's length, only its size.
    stopTimer = setTimeout(() => {
      stoppedAtLimit = true
      stop()
    }, maxSeconds * 1000)
  }

  const stop = () => {
    if (recorder && recorder.state !== 'inactive') recorder.stop()
  }

  startButton.addEventListener('click', start)
  stopButton.addEventListener('click', stop)
}

document.querySelectorAll('.portal-voice[data-voice-upload]').forEach(setUp)
