// Answers folded in <details> are raw HTML in the lessons: let MathJax typeset their $...$ too
// (MyST-NB marks the rest of a notebook page as "ignore" and its own formulas as "math").
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("details").forEach(el => el.classList.add("tex2jax_process"));
});
