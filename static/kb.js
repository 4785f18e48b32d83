// kb: live Markdown preview in the editor. No framework, no CDN.
(function () {
  "use strict";

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  }

  function setupPreview() {
    var source = document.querySelector("textarea[data-preview]");
    var target = document.getElementById("preview");
    if (!source || !target) return;
    var errorBox = document.getElementById("preview-error");
    var token = document.querySelector('meta[name="csrf-token"]').content;
    var pending = 0;

    function update() {
      var ticket = ++pending;
      var body = new URLSearchParams();
      body.set("body", source.value);
      fetch(source.dataset.preview, {
        method: "POST",
        headers: { "X-CSRFToken": token },
        body: body,
        credentials: "same-origin",
      })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (ticket !== pending) return; // a newer keystroke already asked again
          if (data.error) {
            errorBox.textContent = data.error;
            errorBox.hidden = false;
          } else {
            errorBox.hidden = true;
            target.innerHTML = data.html; // sanitised server-side by nh3
          }
        })
        .catch(function () {
          errorBox.textContent = "Voorbeeld niet beschikbaar.";
          errorBox.hidden = false;
        });
    }

    source.addEventListener("input", debounce(update, 300));
    update();
  }

  document.addEventListener("DOMContentLoaded", setupPreview);
})();
