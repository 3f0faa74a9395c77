// The return desk's keyboard help; every page works without it.
// "/" moves to the queue's search box; Escape leaves a field.
document.addEventListener("keydown", (e) => {
  const t = e.target;
  const typing = t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement;
  if (e.key === "/" && !typing) {
    const q = document.getElementById("q");
    if (q) { e.preventDefault(); q.focus(); }
  } else if (e.key === "Escape" && typing) {
    t.blur();
  }
});
