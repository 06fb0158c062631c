// Applies the saved colour theme before the first paint. Kept as a file (not inline) so that a
// strict Content-Security-Policy (script-src 'self') can be used.
(function () {
  try {
    var theme = localStorage.getItem("ailp.theme");
    var dark =
      theme === "dark" ||
      (theme !== "light" && window.matchMedia("(prefers-color-scheme: dark)").matches);
    if (dark) document.documentElement.classList.add("dark");
  } catch (e) {
    /* storage unavailable: keep the light theme */
  }
})();
