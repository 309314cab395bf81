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

// A form answered with its errors (400, the field messages beside the fields) replaces the
// part of the page it came from, as a plain submit would show it; htmx keeps 4xx out by default.
document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.xhr.status === 400) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
