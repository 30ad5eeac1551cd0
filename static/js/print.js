// "Print my answers": a Print button where the browser can print; without JavaScript the page keeps
// its words on how to print from the browser's menu instead.

const button = document.querySelector('[data-print-page]')
if (button && typeof window.print === 'function') {
  button.hidden = false
  const howTo = document.querySelector('.portal-print-howto')
  if (howTo) howTo.hidden = true
  button.addEventListener('click', () => window.print())
}
