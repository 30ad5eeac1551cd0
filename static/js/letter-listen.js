// The letter read aloud, part by part (each .portal-letter__part in order, the part being read highlighted),
// by the phone's own voice in the page's language; and Print. Without a voice (or without JavaScript) the
// Listen button stays hidden, so nothing offers what cannot work.

import { pageLang, voiceForPage } from './voices.js'

const synth = window.speechSynthesis
const config = document.querySelector('script[data-listen-label]')
const LABEL = (config && config.dataset.listenLabel) || 'Listen'
const STOP_LABEL = (config && config.dataset.stopLabel) || 'Stop'
const listenButton = document.querySelector('.portal-letter-listen')
const printButton = document.querySelector('.portal-letter-print')
const READING = 'portal-letter__part--reading'

let queue = []
let speaking = false

function clearHighlight () {
  document.querySelectorAll('.' + READING).forEach((part) => part.classList.remove(READING))
}

function stop () {
  speaking = false
  queue = []
  if (synth) synth.cancel()
  clearHighlight()
  listenButton.textContent = LABEL
  listenButton.setAttribute('aria-pressed', 'false')
}

function speakNext (voice) {
  clearHighlight()
  if (!speaking) return
  const part = queue.shift()
  if (!part) {
    stop()
    return
  }
  const text = part.textContent.replace(/\s+/g, ' ').trim()
  if (!text) {
    speakNext(voice)
    return
  }
  part.classList.add(READING)
  part.scrollIntoView({ block: 'nearest' })
  const utterance = new window.SpeechSynthesisUtterance(text)
  utterance.lang = voice.lang || pageLang
  utterance.voice = voice
  utterance.addEventListener('end', () => speakNext(voice))
  utterance.addEventListener('error', stop)
  synth.speak(utterance)
}

function listen () {
  const voice = voiceForPage()
  if (!voice) return
  if (speaking) {
    stop()
    return
  }
  synth.cancel()
  queue = Array.from(document.querySelectorAll('.portal-letter__part'))
  speaking = true
  listenButton.textContent = STOP_LABEL
  listenButton.setAttribute('aria-pressed', 'true')
  speakNext(voice)
}

function update () {
  const canSpeak = Boolean(voiceForPage())
  listenButton.hidden = !canSpeak
  if (!canSpeak && speaking) stop()
}

if (listenButton && synth && typeof window.SpeechSynthesisUtterance === 'function') {
  listenButton.setAttribute('aria-pressed', 'false')
  listenButton.addEventListener('click', listen)
  update()
  // Chrome fills the voice list later, and may change it.
  if (typeof synth.addEventListener === 'function') synth.addEventListener('voiceschanged', update)
  // Leaving the page stops the voice.
  window.addEventListener('pagehide', () => stop())
}

if (printButton && typeof window.print === 'function') {
  printButton.hidden = false
  printButton.addEventListener('click', () => window.print())
}
