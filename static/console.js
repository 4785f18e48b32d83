// kb console: search while typing, open in place, keyboard first. No framework, no CDN.
(function () {
  "use strict";

  var root = document.getElementById("console");
  if (!root) return;
  var input = document.getElementById("console-q");
  var list = document.getElementById("console-results");
  var none = document.getElementById("console-none");
  var empty = document.getElementById("console-empty");
  var pane = document.getElementById("console-doc");
  var recent = document.getElementById("console-recent");
  var labels = document.getElementById("console-labels").dataset; // translated words
  var channel = "";
  var active = -1;
  var ticket = 0;
  var timer = null;
  var RECENT_KEY = "kb.console.recent"; // slugs and titles only: never customer data
  var RECENT_MAX = 8;

  var channelNames = JSON.parse(labels.channels || "{}");

  function channelLabel(value) {
    return channelNames[value] || value;
  }

  function items() {
    return Array.prototype.slice.call(list.querySelectorAll("li[role=option]"));
  }

  function setActive(index) {
    var all = items();
    if (!all.length) { active = -1; return; }
    active = (index + all.length) % all.length;
    all.forEach(function (li, i) {
      li.classList.toggle("active", i === active);
      li.setAttribute("aria-selected", i === active ? "true" : "false");
    });
    all[active].scrollIntoView({ block: "nearest" });
    input.setAttribute("aria-activedescendant", all[active].id);
  }

  function badge(text, kind) {
    var span = document.createElement("span");
    span.className = "badge " + kind;
    span.textContent = text;
    return span;
  }

  function render(results) {
    list.innerHTML = "";
    results.forEach(function (r, i) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.id = "console-result-" + i;
      li.dataset.open = r.open;
      li.dataset.slug = r.slug;
      li.dataset.kind = r.kind;
      li.dataset.channel = r.channel || "";
      var a = document.createElement("a");
      a.href = r.url;
      a.className = "result-title";
      a.textContent = r.title; // text only: a title is never parsed as HTML
      li.appendChild(a);
      if (r.kind === "script") {
        li.appendChild(badge(labels.script + " · " + channelLabel(r.channel), "script"));
      } else if (r.audience === "internal") {
        li.appendChild(badge(labels.intern, "internal"));
      } else {
        li.appendChild(badge(labels.publiek, "public"));
      }
      if (r.snippet) {
        var p = document.createElement("p");
        p.className = "snippet";
        p.innerHTML = r.snippet; // escaped server-side; only <mark> remains
        li.appendChild(p);
      }
      li.addEventListener("click", function (e) {
        if (e.ctrlKey || e.metaKey || e.shiftKey) return; // a new tab, as links do
        e.preventDefault();
        open(li.dataset.open, li);
      });
      list.appendChild(li);
    });
    var q = input.value.trim();
    list.hidden = results.length === 0;
    none.hidden = !(q && results.length === 0);
    empty.hidden = !!q;
    input.setAttribute("aria-expanded", results.length ? "true" : "false");
    setActive(0);
  }

  function find() {
    var q = input.value.trim();
    var mine = ++ticket;
    if (!q) { render([]); return; }
    var url = root.dataset.find + "?q=" + encodeURIComponent(q.slice(0, 100));
    if (channel) url += "&kanaal=" + encodeURIComponent(channel);
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { results: [] }; })
      .then(function (data) { if (mine === ticket) render(data.results || []); })
      .catch(function () { if (mine === ticket) render([]); });
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(find, 120); // debounced: one small request per pause in typing
  }

  function remember(item) {
    var seen = [];
    try { seen = JSON.parse(localStorage.getItem(RECENT_KEY) || "[]"); } catch (e) { seen = []; }
    seen = seen.filter(function (s) { return s.slug !== item.slug; });
    seen.unshift(item);
    try { localStorage.setItem(RECENT_KEY, JSON.stringify(seen.slice(0, RECENT_MAX))); } catch (e) { /* private mode */ }
    showRecent();
  }

  function showRecent() {
    var seen = [];
    try { seen = JSON.parse(localStorage.getItem(RECENT_KEY) || "[]"); } catch (e) { seen = []; }
    recent.innerHTML = "";
    if (!seen.length) {
      var li = document.createElement("li");
      li.className = "muted";
      li.textContent = recent.dataset.empty;
      recent.appendChild(li);
      return;
    }
    seen.forEach(function (s) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "/artikel/" + encodeURIComponent(s.slug);
      a.dataset.open = "/console/document/" + encodeURIComponent(s.slug);
      a.dataset.kind = s.kind || "";
      a.dataset.channel = s.channel || "";
      a.textContent = s.title;
      li.appendChild(a);
      if (s.kind === "script" && s.channel) li.appendChild(badge(channelLabel(s.channel), "script"));
      recent.appendChild(li);
    });
  }

  function open(url, from) {
    fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.text();
      })
      .then(function (html) {
        pane.innerHTML = html; // rendered and sanitised by the server
        pane.hidden = false;
        root.classList.add("reading");
        var title = pane.querySelector("h1");
        var fragment = pane.querySelector(".console-fragment").dataset;
        remember({
          slug: fragment.slug,
          title: title ? title.firstChild.textContent.trim() : fragment.slug,
          kind: fragment.kind,
          channel: fragment.channel,
        });
        var script = pane.querySelector("[data-kb-script]");
        if (script && window.kbScript) window.kbScript.init(script);
        pane.focus({ preventScroll: true });
        pane.scrollIntoView({ block: "start" });
      })
      .catch(function () {
        pane.hidden = false;
        pane.textContent = labels.error;
      });
  }

  function back() {
    pane.hidden = true;
    pane.innerHTML = "";
    root.classList.remove("reading");
    input.focus();
    input.select();
  }

  function typing(target) {
    return target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable);
  }

  input.addEventListener("input", schedule);
  input.form.addEventListener("submit", function (e) { e.preventDefault(); });
  input.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown") { e.preventDefault(); setActive(active + 1); }
    else if (e.key === "ArrowUp") { e.preventDefault(); setActive(active - 1); }
    else if (e.key === "Enter") {
      e.preventDefault();
      var all = items();
      if (active >= 0 && all[active]) open(all[active].dataset.open, all[active]);
    } else if (e.key === "Escape" && input.value) {
      e.preventDefault();
      input.value = "";
      find();
    }
  });

  document.addEventListener("keydown", function (e) {
    if (e.key === "/" && !typing(e.target)) {
      e.preventDefault();
      if (!pane.hidden) back();
      input.focus();
      input.select();
    } else if (e.key === "Escape" && !pane.hidden) {
      e.preventDefault();
      if (typing(e.target) && pane.contains(e.target)) {
        e.target.blur(); // first Esc leaves a placeholder field, the next one goes back
        pane.focus({ preventScroll: true });
      } else {
        back();
      }
    }
  });

  root.addEventListener("click", function (e) {
    var target = e.target.closest("[data-back], [data-copy-link], .console-empty a[data-open]");
    if (!target) return;
    if (target.hasAttribute("data-back")) { back(); return; }
    if (target.hasAttribute("data-copy-link")) {
      navigator.clipboard.writeText(target.dataset.copyLink).then(function () {
        target.textContent = labels.copied;
      });
      return;
    }
    if (e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    open(target.dataset.open, target);
  });

  root.querySelectorAll(".chip").forEach(function (chip) {
    chip.addEventListener("click", function () {
      var on = chip.getAttribute("aria-pressed") !== "true";
      root.querySelectorAll(".chip").forEach(function (c) { c.setAttribute("aria-pressed", "false"); });
      chip.setAttribute("aria-pressed", on ? "true" : "false");
      channel = on ? chip.dataset.channel : "";
      find();
      input.focus();
    });
  });

  showRecent();
  if (input.value) find();
  input.focus();
})();
