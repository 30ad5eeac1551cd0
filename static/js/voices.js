// The phone's own voice for the page's language (its exact variant first, then the default, then any), or
// null when there is none or no speechSynthesis at all. Shared by the booklet's and the letter's Listen.

export const pageLang = (document.documentElement.lang || 'en').toLowerCase()
const baseLang = pageLang.split(/[-_]/)[0]

function normalise (lang) {
  return (lang || '').toLowerCase().replace('_', '-')
}

export function voiceForPage () {
  const synth = window.speechSynthesis
  if (!synth || typeof synth.getVoices !== 'function') return null
  const voices = synth.getVoices() || []
  const matching = voices.filter((voice) => {
    const lang = normalise(voice.lang)
    return lang === baseLang || lang.startsWith(baseLang + '-')
  })
  return matching.find((voice) => normalise(voice.lang) === pageLang) ||
    matching.find((voice) => voice.default) || matching[0] || null
}
