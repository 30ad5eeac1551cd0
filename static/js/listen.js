// Read-aloud: a "Listen" button by every question, spoken in the page's language by the phone's own voice.
// No voice for the language (or no speechSynthesis at all): no buttons, so nothing offers what cannot work.

import { pageLang, voiceForPage } from './voices.js'

const synth = window.speechSynthesis
const config = document.querySelector('script[data-listen-label]')
const LABEL = (config && config.dataset.listenLabel) || 'Listen'
const STOP_LABEL = (config && config.dataset.stopLabel) || 'Stop'

function placeFor (textElement) {
  // After the label or legend that holds the question, never inside it (a button in a label misfires).
  return textElement.closest('label, legend, h1, h2, h3') || textElement
}

function resetButtons () {
  document.querySelectorAll('.portal-listen').forEach((button) => {
    button.dataset.speaking = 'false'
    button.querySelector('.portal-listen__label').textContent = LABEL
  })
}

function speak (textElement, button) {
  const voice = voiceForPage()
  if (!voice) return
  const wasSpeaking = button.dataset.speaking === 'true'
  synth.cancel()
  resetButtons()
  if (wasSpeaking) return
  const utterance = new window.SpeechSynthesisUtterance(textElement.textContent.trim())
  utterance.lang = voice.lang || pageLang
  utterance.voice = voice
  utterance.addEventListener('end', resetButtons)
  utterance.addEventListener('error', resetButtons)
  button.dataset.speaking = 'true'
  button.querySelector('.portal-listen__label').textContent = STOP_LABEL
  synth.speak(utterance)
}

function addButtons () {
  document.querySelectorAll('.portal-question-text').forEach((textElement) => {
    if (textElement.dataset.listenAdded) return
    textElement.dataset.listenAdded = 'true'
    const button = document.createElement('button')
    button.type = 'button'
    button.className = 'govuk-button govuk-button--secondary portal-listen'
    button.dataset.speaking = 'false'
    const label = document.createElement('span')
    label.className = 'portal-listen__label'
    label.textContent = LABEL
    const hidden = document.createElement('span')
    hidden.className = 'govuk-visually-hidden'
    hidden.textContent = ': ' + textElement.textContent.trim()
    button.append(label, hidden)
    button.addEventListener('click', () => speak(textElement, button))
    placeFor(textElement).insertAdjacentElement('afterend', button)
  })
}

function removeButtons () {
  document.querySelectorAll('.portal-listen').forEach((button) => button.remove())
  document.querySelectorAll('.portal-question-text[data-listen-added]').forEach((element) => {
    delete element.dataset.listenAdded
  })
}

function update () {
  if (voiceForPage()) addButtons()
  else removeButtons()
}

if (synth && typeof window.SpeechSynthesisUtterance === 'function') {
  update()
  // Chrome fills the voice list later, and may change it.
  if (typeof synth.addEventListener === 'function') synth.addEventListener('voiceschanged', update)
  // Leaving the page stops the voice.
  window.addEventListener('pagehide', () => synth.cancel())
}
