// The pages' only script: draw the Mermaid flow diagram (when mermaid.min.js is served) and
// wire the print button. No inline scripts, so a strict Content-Security-Policy can be used.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  var diagrams = document.querySelectorAll("pre.mermaid");
  if (!diagrams.length || typeof window.mermaid === "undefined") {
    document.body.dataset.flow = diagrams.length ? "no-script" : "none";
    return;
  }
  window.mermaid.initialize({
    startOnLoad: false,
    securityLevel: "strict",
    theme: "neutral",
    flowchart: { htmlLabels: true, wrappingWidth: 260, useMaxWidth: true },
  });
  window.mermaid.run({ nodes: diagrams }).then(function () {
    document.body.dataset.flow = "drawn";
  }, function (error) {
    document.body.dataset.flow = "failed";
    console.error("flow diagram:", error);
  });
})();
