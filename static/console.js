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
  var status = document.getElementById("console-status"); // read out: how many results
  var heading = document.getElementById("console-title"); // the page's h1 until a document opens
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

  // An option's title is text, not a link: a listbox option holds no other control.
  function title(text) {
    var span = document.createElement("span");
    span.className = "result-title";
    span.textContent = text; // text only: a title is never parsed as HTML
    return span;
  }

  // Click opens in place; Ctrl, Cmd or Shift (or the middle button) opens the full page in a
  // new tab, as a link would.
  function pick(li) {
    li.addEventListener("click", function (e) {
      if (e.ctrlKey || e.metaKey || e.shiftKey) { window.open(li.dataset.url, "_blank", "noopener"); return; }
      open(li.dataset.open, li);
    });
    li.addEventListener("auxclick", function (e) {
      if (e.button === 1) window.open(li.dataset.url, "_blank", "noopener");
    });
  }

  function announce(count, q) {
    var text = "";
    if (count === 1) text = status.dataset.one;
    else if (count > 1) text = count + " " + status.dataset.many;
    else if (q) text = none.textContent.trim();
    if (status.textContent !== text) status.textContent = text;
  }

  function renderTicket(t, i) {
    var li = document.createElement("li");
    li.setAttribute("role", "option");
    li.id = "console-ticket-" + i;
    li.className = "ticket-result";
    li.dataset.open = t.open;
    li.dataset.url = t.open;
    li.appendChild(title(t.ref));
    li.appendChild(badge(labels.ticket + " · " + t.status_label, "ticket"));
    var subject = document.createElement("p");
    subject.className = "snippet";
    subject.textContent = t.subject;
    li.appendChild(subject);
    if (t.agreements && t.agreements.length) {
      var ul = document.createElement("ul");
      ul.className = "ticket-agreements-inline";
      ul.setAttribute("aria-label", labels.agreements);
      t.agreements.forEach(function (text) {
        var item = document.createElement("li");
        item.textContent = text; // agents' text: never parsed as HTML
        ul.appendChild(item);
      });
      li.appendChild(ul);
    }
    pick(li);
    return li;
  }

  function render(results, tickets) {
    list.innerHTML = "";
    (tickets || []).forEach(function (t, i) { list.appendChild(renderTicket(t, i)); });
    results.forEach(function (r, i) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.id = "console-result-" + i;
      li.dataset.open = r.open;
      li.dataset.slug = r.slug;
      li.dataset.kind = r.kind;
      li.dataset.channel = r.channel || "";
      li.dataset.url = r.url;
      li.appendChild(title(r.title));
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
      pick(li);
      list.appendChild(li);
    });
    var q = input.value.trim();
    var count = results.length + (tickets || []).length;
    list.hidden = count === 0;
    none.hidden = !(q && count === 0);
    empty.hidden = !!q;
    input.setAttribute("aria-expanded", count ? "true" : "false");
    if (!count) input.removeAttribute("aria-activedescendant");
    announce(count, q);
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
      .then(function (data) { if (mine === ticket) render(data.results || [], data.tickets || []); })
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

  var FRAGMENT = { Accept: "text/html", "X-KB-Fragment": "1" }; // ticket views: no page around

  function open(url, from) {
    fetch(url, { headers: FRAGMENT, credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok || r.redirected) throw new Error(String(r.status));
        return r.text();
      })
      .then(function (html) {
        pane.innerHTML = html; // rendered and sanitised by the server
        pane.hidden = false;
        heading.hidden = true; // the document's own title is the page's h1 now
        root.classList.add("reading");
        var title = pane.querySelector("h1");
        var fragment = pane.querySelector(".console-fragment").dataset;
        if (fragment.slug) { // a document, not a ticket: remembered on this device
          remember({
            slug: fragment.slug,
            title: title ? title.firstChild.textContent.trim() : fragment.slug,
            kind: fragment.kind,
            channel: fragment.channel,
          });
        }
        var script = pane.querySelector("[data-kb-script]");
        if (script && window.kbScript) window.kbScript.init(script);
        settle(pane);
        pane.scrollIntoView({ block: "start" });
      })
      .catch(function () {
        pane.hidden = false;
        pane.innerHTML = "";
        var p = document.createElement("p");
        p.className = "error";
        p.setAttribute("role", "alert");
        p.textContent = labels.error;
        pane.appendChild(p);
      });
  }

  // Focus the first field with an error (its message is read with it), else what the fresh
  // content asks for (a form's first field), else the pane itself.
  function settle(scope) {
    var first = scope.querySelector("[aria-invalid=true]") || scope.querySelector("[autofocus]");
    if (first) first.focus();
    else pane.focus({ preventScroll: true });
  }

  // Forms in the pane (new ticket, notes, resolve, the ticket picker) post in place: the
  // answer replaces the form's [data-swap] block, so nothing else on screen moves.
  var ticketsChanged = false;
  var myTickets = document.getElementById("console-my-tickets");

  // Back from a ticket: the agent's open tickets may have changed (a new one, one resolved).
  function refreshMyTickets() {
    if (!myTickets || !ticketsChanged) return;
    ticketsChanged = false;
    fetch(myTickets.dataset.refresh, { headers: FRAGMENT, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) myTickets.innerHTML = html; })
      .catch(function () { /* the list stays as it was */ });
  }

  pane.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.matches("form[data-fragment-form]")) return;
    e.preventDefault();
    ticketsChanged = true;
    var data = new FormData(form);
    if (e.submitter && e.submitter.name) data.append(e.submitter.name, e.submitter.value);
    var target = form.closest("[data-swap]") || pane;
    fetch(form.action, { method: "POST", body: data, headers: FRAGMENT, credentials: "same-origin" })
      .then(function (r) {
        // 422 and 409 answer with the form or panel again, showing what to fix.
        if (r.redirected || !(r.ok || r.status === 422 || r.status === 409)) throw new Error(String(r.status));
        return r.text();
      })
      .then(function (html) {
        var box = document.createElement("div");
        box.innerHTML = html; // rendered by the server
        var fresh = box.firstElementChild;
        if (!fresh || target === pane) { pane.innerHTML = html; settle(pane); return; }
        target.replaceWith(fresh);
        settle(fresh);
        acknowledged(fresh.dataset.acknowledged);
      })
      .catch(function () {
        var p = document.createElement("p");
        p.className = "error";
        p.setAttribute("role", "alert");
        p.textContent = labels.error;
        form.appendChild(p);
      });
  });

  // "Gelezen en begrepen" in the pane: the document leaves the "Te bevestigen" list.
  function acknowledged(slug) {
    if (!slug) return;
    var list = root.querySelector(".console-acks");
    if (!list) return;
    list.querySelectorAll("li").forEach(function (li) {
      if (li.dataset.slug === slug) li.remove();
    });
    if (!list.children.length) list.closest(".console-acks-box").remove();
  }

  function showPicker() {
    var picker = pane.querySelector("[data-ticket-picker]");
    if (!picker) return false;
    picker.hidden = false;
    var field = picker.querySelector("input[name=ticket]");
    field.focus();
    field.select(); // Enter resolves the pre-filled ticket; typing replaces it
    return true;
  }

  function hidePicker(picker) {
    picker.hidden = true;
    pane.focus({ preventScroll: true });
  }

  function newTicket() {
    if (root.dataset.ticketForm) open(root.dataset.ticketForm, null);
  }

  function back() {
    refreshMyTickets();
    pane.hidden = true;
    pane.innerHTML = "";
    heading.hidden = false;
    root.classList.remove("reading");
    input.focus();
    input.select();
  }

  function typing(target) {
    return target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT" || target.isContentEditable);
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
    var plain = !(e.ctrlKey || e.metaKey || e.altKey) && !typing(e.target);
    if (e.key === "t" && plain && !pane.hidden) {
      if (showPicker()) e.preventDefault(); // the key itself is not typed into the field
      return;
    }
    if (e.key === "n" && plain && root.dataset.ticketForm) {
      e.preventDefault();
      newTicket();
      return;
    }
    var picker = e.target.closest && e.target.closest("[data-ticket-picker]");
    if (e.key === "Escape" && picker) {
      e.preventDefault();
      hidePicker(picker);
      return;
    }
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
    var target = e.target.closest(
      "[data-back], [data-copy-link], [data-ticket-open], [data-new-ticket], .console-empty a[data-open], #console-doc a[data-ticket-link]"
    );
    if (!target) return;
    if (target.hasAttribute("data-back")) { back(); return; }
    if (target.hasAttribute("data-ticket-open")) { showPicker(); return; }
    if (target.hasAttribute("data-new-ticket")) { newTicket(); return; }
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
