// After a notification is marked read in place, the button that was pressed is gone: move the
// keyboard focus to the row's new status, so the reader stays where they were. The page works
// without this script (the form then reloads the inbox).
document.addEventListener("htmx:afterSettle", (event) => {
  const id = event.detail.target && event.detail.target.id;
  const swapped = id ? document.getElementById(id) : null;
  if (swapped && swapped.hasAttribute("data-kip-focus")) {
    swapped.focus();
  }
});
