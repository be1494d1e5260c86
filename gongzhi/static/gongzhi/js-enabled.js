// Marks the page as scripted before it is drawn (styles hide what only works with JavaScript).
// A file, not an inline script: the Content-Security-Policy lets no inline script run.
document.documentElement.classList.add("js");
