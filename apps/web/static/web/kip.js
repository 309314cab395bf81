// Behaviour for the pages, as a static file (the Content-Security-Policy allows no inline script).
// Every page works without it; it only adds conveniences.
document.addEventListener("click", (event) => {
  const print = event.target.closest("[data-kip-print]");
  if (print) {
    event.preventDefault();
    window.print();
  }
  const confirmText = event.target.closest("[data-kip-confirm]");
  if (confirmText && !window.confirm(confirmText.dataset.kipConfirm)) {
    event.preventDefault();
  }
});
