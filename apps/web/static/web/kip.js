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

// After a plan section is saved in place, the page's other open forms of that plan move to the
// new version, but only those that held the version the save started from: they have seen
// everything that save changed. Any other stale form still meets the conflict view.
document.addEventListener("kip:plan-version", (event) => {
  const { from, to } = event.detail;
  document.querySelectorAll(`input[name="version"][value="${Number(from)}"]`).forEach((input) => {
    input.setAttribute("value", String(to));
    input.value = String(to);
  });
});
