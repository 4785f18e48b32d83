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
          if (data.retry) {
            // Previews are rationed per host (429): ask again in a moment, unless typing does.
            setTimeout(function () { if (ticket === pending) update(); }, 1500);
          }
          if (data.error) {
            errorBox.textContent = data.error;
            errorBox.hidden = false;
          } else {
            errorBox.hidden = true;
            target.innerHTML = data.html; // sanitised server-side by nh3
          }
        })
        .catch(function () {
          errorBox.textContent = errorBox.dataset.unavailable || "Voorbeeld niet beschikbaar.";
          errorBox.hidden = false;
        });
    }

    source.addEventListener("input", debounce(update, 300));
    update();
  }

  // Search-as-you-type: titles from /api/v1/search/suggest under any input[data-suggest].
  function setupSuggest(input) {
    var list = document.createElement("ul");
    list.className = "suggest-list";
    list.id = input.id ? input.id + "-suggesties" : "suggesties";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("autocomplete", "off");
    input.parentNode.appendChild(list);
    var active = -1;
    var ticket = 0;

    function close() {
      list.hidden = true;
      list.innerHTML = "";
      active = -1;
      input.removeAttribute("aria-activedescendant");
      input.setAttribute("aria-expanded", "false");
    }

    // Each option is the link itself (an option holding a link would nest two controls): the
    // input keeps the focus, aria-activedescendant names the highlighted option.
    function show(items) {
      list.innerHTML = "";
      active = -1;
      input.removeAttribute("aria-activedescendant");
      items.forEach(function (item, i) {
        var li = document.createElement("li");
        li.setAttribute("role", "presentation");
        var a = document.createElement("a");
        a.href = item.url;
        a.id = list.id + "-" + i;
        a.tabIndex = -1;
        a.setAttribute("role", "option");
        a.setAttribute("aria-selected", "false");
        a.textContent = item.title; // text only: titles are never parsed as HTML
        if (item.kind === "script" || item.audience === "internal") {
          var label = document.createElement("span");
          label.className = "badge " + (item.kind === "script" ? "script" : "internal");
          label.textContent = item.kind === "script"
            ? input.dataset.labelScript || "script"
            : input.dataset.labelIntern || "intern";
          a.appendChild(document.createTextNode(" "));
          a.appendChild(label);
        }
        li.appendChild(a);
        list.appendChild(li);
      });
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
    }

    function highlight(next) {
      var options = list.querySelectorAll("[role=option]");
      if (!options.length) return;
      active = (next + options.length) % options.length;
      options.forEach(function (a, i) {
        a.classList.toggle("active", i === active);
        a.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", options[active].id);
    }

    input.addEventListener("input", debounce(function () {
      var q = input.value;
      var mine = ++ticket;
      if (q.trim().length < 2) { close(); return; }
      fetch(input.dataset.suggest + "?q=" + encodeURIComponent(q.slice(0, 100)), {
        headers: { Accept: "application/json" }, credentials: "same-origin",
      })
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (data) { if (mine === ticket) show(data.suggestions || []); })
        .catch(close);
    }, 120));

    input.addEventListener("keydown", function (e) {
      if (list.hidden) return;
      if (e.key === "ArrowDown") { e.preventDefault(); highlight(active + 1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); highlight(active - 1); }
      else if (e.key === "Escape") { close(); }
      else if (e.key === "Enter" && active >= 0) {
        e.preventDefault();
        window.location = list.querySelectorAll("[role=option]")[active].href;
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  // "kopieer publieke link": a public article's address, for sending to a customer.
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("button.copy-link[data-copy-link]");
    if (!button || !navigator.clipboard) return;
    navigator.clipboard.writeText(button.dataset.copyLink).then(function () {
      button.textContent = button.dataset.copied || "Gekopieerd";
    });
  });

  // The editor (editor.js) keeps a local copy of unsaved text and marks a save as under way;
  // landing on the document's page means the save went through, so the copy can go.
  function clearSavedDraft() {
    var saving;
    try {
      saving = JSON.parse(sessionStorage.getItem("kb:saving") || "null");
      sessionStorage.removeItem("kb:saving");
    } catch (e) {
      return;
    }
    if (saving && saving.newDraft) {
      // Back on the form means the server refused it; anywhere else, the document exists.
      if (window.location.pathname === saving.form) return;
      try {
        localStorage.removeItem(saving.newDraft);
      } catch (e) { /* storage blocked */ }
      return;
    }
    if (!saving || !saving.slug || window.location.pathname !== saving.done) return;
    var prefix = "kb:concept:" + saving.slug + ":";
    try {
      for (var i = localStorage.length - 1; i >= 0; i--) {
        var key = localStorage.key(i);
        if (key && key.indexOf(prefix) === 0) localStorage.removeItem(key);
      }
    } catch (e) { /* storage blocked */ }
  }

  // The header's links: the current page marked, and on a narrow screen behind a menu
  // button (kb.css shows the button below 60rem; without this script the links just wrap).
  function setupNav() {
    var nav = document.querySelector("header.site nav");
    if (!nav) return;
    var here = window.location.pathname;
    nav.querySelectorAll("a[href]").forEach(function (a) {
      var path = a.pathname;
      if (path === here || (path !== "/" && here.indexOf(path + "/") === 0)) {
        a.setAttribute("aria-current", "page");
      }
    });
    if (!nav.id) nav.id = "site-nav";
    // The signed-in person's links (account, name, log out) stay together at the end.
    var first = nav.querySelector(":scope > a[href$='/account'], :scope > .who");
    if (first && !nav.querySelector(".nav-user")) {
      var group = document.createElement("span");
      group.className = "nav-user";
      nav.insertBefore(group, first);
      while (group.nextSibling) group.appendChild(group.nextSibling);
    }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "nav-toggle";
    button.textContent = nav.dataset.menuLabel || "Menu";
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", nav.id);
    nav.parentNode.insertBefore(button, nav);
    document.documentElement.classList.add("has-nav-toggle");

    function toggle(open) {
      nav.classList.toggle("open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }
    button.addEventListener("click", function () {
      toggle(button.getAttribute("aria-expanded") !== "true");
    });
    nav.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && nav.classList.contains("open")) {
        toggle(false);
        button.focus();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupNav();
    clearSavedDraft();
    setupPreview();
    document.querySelectorAll("input[data-suggest]").forEach(setupSuggest);
  });
})();
