// Three Houses with pictures, enhanced: a tapped picture goes into the house at once (and says its name in
// the phone's voice, when it has one for the page's language); "tell my IRO myself" and the pictures do not
// mix. Saving is booklet.js's (autosave on change). Without this script the tiles are plain checkboxes and
// radios in a form, and the house shows what was saved.

import { pageLang, voiceForPage } from './voices.js'

// Once the child has pressed Listen, listen.js speaks every tapped choice (this script then keeps quiet).
const listenOn = () => { try { return window.sessionStorage.getItem('portal-listen-on') === '1' } catch (e) { return false } }

const say = (text) => {
  if (listenOn()) return
  const synth = window.speechSynthesis
  const voice = voiceForPage()
  if (!synth || !voice || typeof window.SpeechSynthesisUtterance !== 'function') return
  synth.cancel()
  const utterance = new window.SpeechSynthesisUtterance(text)
  utterance.lang = voice.lang || pageLang
  utterance.voice = voice
  synth.speak(utterance)
}

const labelOf = (input) => {
  const text = document.querySelector(`label[for="${CSS.escape(input.id)}"] .portal-tile__text`)
  return text ? text.textContent.trim() : ''
}

const pictureOf = (input) => {
  const image = document.querySelector(`label[for="${CSS.escape(input.id)}"] img`)
  return image ? image.getAttribute('src') : null
}

const fillHouse = (house, inputs) => {
  const list = house.querySelector('[data-house-things]')
  const empty = house.querySelector('[data-house-empty]')
  const items = inputs.filter((input) => input.checked && !input.value.startsWith('__') && pictureOf(input))
    .map((input) => {
      const item = document.createElement('li')
      const image = document.createElement('img')
      image.src = pictureOf(input)
      image.alt = labelOf(input)
      image.width = 44
      image.height = 44
      item.append(image)
      return item
    })
  list.replaceChildren(...items)
  if (empty) empty.hidden = items.length > 0
}

document.querySelectorAll('.portal-pictures').forEach((group) => {
  const inputs = [...group.querySelectorAll('.portal-tile__input')]
  const block = group.closest('[data-question]')
  const house = block ? document.querySelector(`[data-house-for="${CSS.escape(block.dataset.question)}"]`) : null
  group.addEventListener('change', (event) => {
    const input = event.target
    if (!input.matches('.portal-tile__input')) return
    if (input.type === 'checkbox' && input.checked) {
      // An alternative ("I'd rather tell my IRO myself") stands alone; a picture takes its place.
      const alternative = input.value.startsWith('__')
      inputs.forEach((other) => {
        if (other !== input && (alternative || other.value.startsWith('__'))) other.checked = false
      })
    }
    if (input.checked) say(labelOf(input))
    if (house) fillHouse(house, inputs)
  })
})
