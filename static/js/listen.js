// Listen: one button that reads the whole page aloud, in order (introduction, questions, hints, each choice,
// the buttons), in the page's language. The phone's own voice reads when it has one for the language;
// otherwise the portal's own audio of its fixed texts plays (GET <data-speech-audio><key>.opus, asked for only
// when Listen is pressed). A child's own words ([data-listen-own]) are read only by the phone's voice: their
// key is never even sent. Once Listen has been used, a choice is read out when it is focused or tapped.
// With neither a voice nor the portal's audio (or without JavaScript) there is no button.

import { pageLang, voiceForPage } from './voices.js'

const config = document.querySelector('script[data-listen-label]')
const settings = (config && config.dataset) || {}
const LABEL = settings.listenLabel || 'Listen'
const STOP_LABEL = settings.stopLabel || 'Stop'
const AUDIO_BASE = settings.speechAudio || ''
const root = document.querySelector('.portal-lockable') || document.querySelector('main')
const synth = window.speechSynthesis
const ENGAGED = 'portal-listen-on'
const READING = 'portal-listen-reading'

// What is read as one piece: headings, paragraphs, labels and legends, hints, list items, buttons; any other
// element with text of its own counts too.
const BLOCKS = 'h1,h2,h3,h4,p,li,legend,label,summary,button,dt,dd,th,td,.govuk-hint,.govuk-error-message,' +
  '.govuk-radios__divider,.govuk-checkboxes__divider'
// Never read: hidden helpers for screen readers, typed values, pictures, the counter under a text box.
const SKIP = '[data-listen-skip],.govuk-visually-hidden,script,style,template,noscript,textarea,input,select,' +
  'svg,[aria-hidden="true"],.govuk-character-count__message,.govuk-character-count__status'
const OWN = '[data-listen-own],.portal-answer-text'
const CHOICE = 'input[type="radio"],input[type="checkbox"]'

const canSynth = Boolean(synth && typeof window.SpeechSynthesisUtterance === 'function')
const canAudio = Boolean(AUDIO_BASE && window.isSecureContext && window.crypto && window.crypto.subtle &&
  typeof window.TextEncoder === 'function' && typeof window.Audio === 'function' &&
  new window.Audio().canPlayType('audio/ogg; codecs=opus'))

let bar = null
let button = null
let audio = null
let run = 0 // each reading's number: callbacks of a stopped reading do nothing
const keys = new Map()

// The same normalisation as portal/speech/registry.py: NFC, whitespace runs to one space, trimmed.
export function normalise (text) {
  return text.normalize('NFC').replace(/\s+/g, ' ').trim()
}

export async function textKey (text) {
  const digest = await window.crypto.subtle.digest('SHA-256', new window.TextEncoder().encode(normalise(text)))
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('').slice(0, 20)
}

function shown (element) {
  if (element.hidden) return false
  const style = window.getComputedStyle(element)
  return style.display === 'contents' || (style.visibility !== 'hidden' && element.getClientRects().length > 0)
}

function ownText (element) {
  return Array.from(element.childNodes).some((node) => node.nodeType === 3 && node.nodeValue.trim())
}

function textOf (block) {
  let text = ''
  const walk = (node) => {
    node.childNodes.forEach((child) => {
      if (child.nodeType === 3) text += child.nodeValue
      else if (child.nodeType === 1 && !child.matches(SKIP) && shown(child)) {
        const inline = window.getComputedStyle(child).display.startsWith('inline')
        if (!inline) text += ' '
        walk(child)
        if (!inline) text += ' '
      }
    })
  }
  walk(block)
  return normalise(text)
}

function collect (element, found) {
  Array.from(element.children).forEach((child) => {
    if (child === bar || child.matches(SKIP) || !shown(child)) return
    if (child.matches(BLOCKS) || ownText(child)) {
      const text = textOf(child)
      if (text) found.push({ element: child, text, own: Boolean(child.closest(OWN) || child.querySelector(OWN)) })
    } else {
      collect(child, found)
    }
  })
  return found
}

function setLabel (speaking) {
  button.dataset.speaking = String(speaking)
  button.querySelector('.portal-listen__label').textContent = speaking ? STOP_LABEL : LABEL
}

function clearHighlight () {
  root.querySelectorAll('.' + READING).forEach((element) => element.classList.remove(READING))
}

function stop () {
  run += 1
  if (canSynth) synth.cancel()
  if (audio) {
    audio.pause()
    audio.removeAttribute('src')
  }
  clearHighlight()
  if (button) setLabel(false)
}

// A callback that runs at most once (an element may report both an error and an end).
function once (callback) {
  let called = false
  return () => {
    if (!called) {
      called = true
      callback()
    }
  }
}

function sayWithVoice (item, voice, done) {
  const utterance = new window.SpeechSynthesisUtterance(item.text)
  utterance.lang = voice.lang || pageLang
  utterance.voice = voice
  utterance.addEventListener('end', done)
  utterance.addEventListener('error', done)
  synth.speak(utterance)
}

async function playAudio (item, done) {
  if (item.own) return done() // a child's words are never sent, not even as a key
  const reading = run
  let key = keys.get(item.text)
  if (!key) {
    key = await textKey(item.text)
    keys.set(item.text, key)
  }
  if (reading !== run) return
  audio = audio || new window.Audio()
  const player = audio
  const url = new URL(AUDIO_BASE + key + '.opus', document.baseURI).href
  // Only this file's own end or failure moves on: changing the source makes the last one report late.
  const mine = () => player.src === url
  player.preload = 'none'
  player.onended = () => { if (mine()) done() }
  // Not in the portal's list of fixed texts (a name, say): go on to the next.
  player.onerror = () => { if (mine() && player.error) done() }
  player.src = url
  player.play().catch((error) => {
    if (!mine()) return
    if (error && error.name === 'NotAllowedError') stop() // the browser refuses to play: stop, not hang
    else if (player.error) done()
  })
}

// Read items one after another; `after` runs when the last has been read. False when nothing can speak.
function readAll (items, after, started = () => {}) {
  stop()
  const mine = run
  const voice = canSynth ? voiceForPage() : null
  if (!voice && !canAudio) return false
  const queue = items.slice()
  started()
  const next = () => {
    if (mine !== run) return
    clearHighlight()
    const item = queue.shift()
    if (!item) return after()
    item.element.classList.add(READING)
    if (voice) sayWithVoice(item, voice, once(next))
    else playAudio(item, once(next))
  }
  next()
  return true
}

function listen () {
  if (button.dataset.speaking === 'true') {
    stop()
    return
  }
  try { window.sessionStorage.setItem(ENGAGED, '1') } catch (error) {}
  readAll(collect(root, []), stop, () => setLabel(true))
}

function engaged () {
  try { return window.sessionStorage.getItem(ENGAGED) === '1' } catch (error) { return false }
}

let lastChoice = null
let lastChoiceAt = 0

function sayChoice (event) {
  const input = event.target
  if (!input.matches || !input.matches(CHOICE) || !engaged() || !button || button.hidden) return
  const now = Date.now()
  if (input === lastChoice && now - lastChoiceAt < 600) return // a tap both focuses and clicks
  lastChoice = input
  lastChoiceAt = now
  const label = input.labels && input.labels[0]
  const text = label ? textOf(label) : ''
  if (text) readAll([{ element: label, text, own: false }], () => clearHighlight())
}

function speakerIcon () {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg')
  svg.setAttribute('viewBox', '0 0 24 24')
  svg.setAttribute('aria-hidden', 'true')
  svg.setAttribute('focusable', 'false')
  svg.setAttribute('class', 'portal-listen__icon')
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path')
  path.setAttribute('d', 'M3 9v6h4l5 5V4L7 9H3zm13.5 3A4.5 4.5 0 0 0 14 8v8a4.5 4.5 0 0 0 2.5-4zM14 3.2v2.1a7 7 0 0 1 0 13.4v2.1a9 9 0 0 0 0-17.6z')
  path.setAttribute('fill', 'currentColor')
  svg.append(path)
  return svg
}

function addButton () {
  bar = document.createElement('div')
  bar.className = 'portal-listen-bar'
  button = document.createElement('button')
  button.type = 'button'
  button.className = 'govuk-button govuk-button--secondary portal-listen'
  const label = document.createElement('span')
  label.className = 'portal-listen__label'
  button.append(speakerIcon(), label)
  setLabel(false)
  button.addEventListener('click', listen)
  bar.append(button)
  root.prepend(bar)
  root.addEventListener('focusin', sayChoice)
  root.addEventListener('click', sayChoice)
}

// Work out the keys of the page's texts beforehand (on this phone; nothing is sent), so that pressing Listen
// starts the first file at once, within the tap (Safari plays only then). A child's words are never hashed.
function prepareKeys () {
  collect(root, []).forEach((item) => {
    if (!item.own && !keys.has(item.text)) textKey(item.text).then((key) => keys.set(item.text, key), () => {})
  })
}

function update () {
  const available = Boolean((canSynth && voiceForPage()) || canAudio)
  if (available && !button) {
    addButton()
    if (canAudio) window.setTimeout(prepareKeys, 0)
  }
  if (bar) bar.hidden = !available
  if (!available && button) stop()
}

if (root && (canSynth || canAudio)) {
  update()
  // Chrome fills the voice list later, and may change it.
  if (canSynth && typeof synth.addEventListener === 'function') synth.addEventListener('voiceschanged', update)
  // Leaving the page stops the voice.
  window.addEventListener('pagehide', stop)
}
