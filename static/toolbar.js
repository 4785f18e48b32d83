// kb editor toolbar: Markdown buttons and shortcuts (Ctrl+B, Ctrl+I, Ctrl+K) for the editor's
// textarea, and a picker that inserts [[slug]] links to other documents. Without this script
// the textarea works as it is. Inserting goes through execCommand("insertText") where the
// browser has it, so Ctrl+Z undoes a button like typing; every change fires "input", which
// the live preview (kb.js) and the local copy (editor.js) listen to.
(function () {
  "use strict";

  var WIKI_SLUG = /^[a-z0-9][a-z0-9-]{0,119}$/;
  var PLACEHOLDER_NAME = /^[a-z][a-z0-9_]*$/;

  function setup(toolbar) {
    var area = document.getElementById(toolbar.getAttribute("aria-controls"));
    if (!area) return;
    var words = {};
    try {
      words = JSON.parse(toolbar.dataset.words || "{}");
    } catch (e) { /* the sample words fall back to empty strings */ }
    function word(name) { return words[name] || ""; }
    var buttons = Array.prototype.slice.call(toolbar.querySelectorAll("button[data-md]"));
    var picker = document.getElementById("md-picker");

    // ---- editing the text ----
    function replace(start, end, text, selStart, selEnd) {
      area.focus();
      area.setSelectionRange(start, end);
      var done = false;
      try {
        done = text !== "" && document.execCommand("insertText", false, text);
      } catch (e) { done = false; }
      if (!done || area.value.slice(start, start + text.length) !== text) {
        area.setRangeText(text, start, end, "end");
        area.dispatchEvent(new Event("input", { bubbles: true }));
      }
      area.setSelectionRange(start + selStart, start + selEnd);
    }

    function selection() {
      return { start: area.selectionStart, end: area.selectionEnd, text: area.value.slice(area.selectionStart, area.selectionEnd) };
    }

    // **bold** and _italic_: wrap the selection (without its edge spaces), or a sample word,
    // which stays selected so typing replaces it; on text already wrapped, unwrap it.
    function wrap(mark, sample) {
      var sel = selection(), v = area.value, n = mark.length;
      if (sel.start >= n && v.slice(sel.start - n, sel.start) === mark && v.slice(sel.end, sel.end + n) === mark) {
        replace(sel.start - n, sel.end + n, sel.text, 0, sel.text.length);
        return;
      }
      if (sel.text.length > 2 * n && sel.text.slice(0, n) === mark && sel.text.slice(-n) === mark) {
        var inner = sel.text.slice(n, -n);
        replace(sel.start, sel.end, inner, 0, inner.length);
        return;
      }
      var lead = sel.text.match(/^\s*/)[0];
      var trail = sel.text.slice(lead.length).match(/\s*$/)[0];
      var body = sel.text.trim() || sample;
      replace(sel.start, sel.end, lead + mark + body + mark + trail, lead.length + n, lead.length + n + body.length);
    }

    // Whole lines: "## " for a heading, "- " or "1. " for lists; again on such lines removes it.
    var LINE_MARKS = { heading: /^#{1,6}\s+/, bullets: /^\s*[-*+]\s+/, numbers: /^\s*\d+[.)]\s+/ };
    function lines(kind) {
      var sel = selection(), v = area.value;
      var start = v.lastIndexOf("\n", sel.start - 1) + 1;
      var stop = sel.end > sel.start && v.charAt(sel.end - 1) === "\n" ? sel.end - 1 : sel.end;
      var end = v.indexOf("\n", stop);
      if (end < 0) end = v.length;
      var rows = v.slice(start, end).split("\n");
      var filled = rows.filter(function (r) { return r.trim(); });
      var mark = LINE_MARKS[kind];
      var undo = filled.length > 0 && filled.every(function (r) { return mark.test(r); });
      var count = 0;
      var out = rows.map(function (row) {
        if (undo) return row.replace(mark, "");
        if (!row.trim() && filled.length) return row;
        count += 1;
        var plain = row.replace(LINE_MARKS.heading, "").replace(LINE_MARKS.bullets, "").replace(LINE_MARKS.numbers, "");
        var prefix = kind === "heading" ? "## " : kind === "bullets" ? "- " : count + ". ";
        return prefix + (plain || word(kind === "heading" ? "heading" : "item"));
      });
      var text = out.join("\n");
      if (!filled.length) {
        // An empty line: the sample word after the mark is selected, ready to type over.
        var at = text.length - word(kind === "heading" ? "heading" : "item").length;
        replace(start, end, text, at, text.length);
      } else {
        replace(start, end, text, 0, text.length);
      }
    }

    // A block (table, admonition) is a paragraph of its own: blank lines around it.
    function block(text, selectFrom, selectTo) {
      var sel = selection(), v = area.value;
      var before = v.slice(0, sel.start), after = v.slice(sel.end);
      var head = !before || /\n\n$/.test(before) ? "" : /\n$/.test(before) ? "\n" : "\n\n";
      var tail = !after ? "\n" : /^\n\n/.test(after) ? "" : /^\n/.test(after) ? "\n" : "\n\n";
      replace(sel.start, sel.end, head + text + tail, head.length + selectFrom, head.length + selectTo);
    }

    function table() {
      var c1 = word("col1"), c2 = word("col2"), cell = word("cell");
      var text = "| " + c1 + " | " + c2 + " |\n| --- | --- |\n| " + cell + " | " + cell + " |";
      block(text, 2, 2 + c1.length);
    }

    function admonition(kind, title, sample) {
      var sel = selection();
      var body = sel.text.trim() ? sel.text.replace(/\s+$/, "") : sample;
      var head = "!!! " + kind + " \"" + title + "\"\n";
      var text = head + body.split("\n").map(function (r) { return r ? "    " + r : r; }).join("\n");
      if (sel.text.trim()) block(text, 0, text.length);
      else block(text, head.length + 4, text.length);
    }

    function link() {
      var sel = selection();
      var text = sel.text.trim();
      if (/^(https?:\/\/|mailto:|tel:)\S+$/.test(text)) {
        var label = word("linktext");
        replace(sel.start, sel.end, "[" + label + "](" + text + ")", 1, 1 + label.length);
        return;
      }
      var shown = text || word("linktext");
      var before = "[" + shown + "](";
      var whole = before + "https://)";
      // Text chosen: the address is selected to type; none: the link text is.
      if (text) replace(sel.start, sel.end, whole, before.length, before.length + 8);
      else replace(sel.start, sel.end, whole, 1, 1 + shown.length);
    }

    function placeholder() {
      var sel = selection();
      var name = PLACEHOLDER_NAME.test(sel.text) ? sel.text : word("placeholder");
      replace(sel.start, sel.end, "{{" + name + "}}", 2, 2 + name.length);
    }

    var actions = {
      bold: function () { wrap("**", word("bold")); },
      italic: function () { wrap("_", word("italic")); },
      heading: function () { lines("heading"); },
      bullets: function () { lines("bullets"); },
      numbers: function () { lines("numbers"); },
      table: table,
      link: link,
      doc: function (button) { openPicker(button); },
      tip: function () { admonition("tip", word("tip"), word("tipbody")); },
      warning: function () { admonition("warning", word("warning"), word("warningbody")); },
      placeholder: placeholder,
    };

    // ---- the toolbar: one tab stop, arrow keys between the buttons (WAI-ARIA toolbar) ----
    var current = 0;
    function rove(index, focus) {
      current = (index + buttons.length) % buttons.length;
      buttons.forEach(function (b, i) { b.tabIndex = i === current ? 0 : -1; });
      if (focus) buttons[current].focus();
    }
    buttons.forEach(function (button, i) {
      button.addEventListener("click", function () {
        rove(i, false);
        actions[button.dataset.md](button);
      });
    });
    toolbar.addEventListener("keydown", function (e) {
      var i = buttons.indexOf(document.activeElement);
      if (i < 0) return;
      if (e.key === "ArrowRight" || e.key === "ArrowDown") { e.preventDefault(); rove(i + 1, true); }
      else if (e.key === "ArrowLeft" || e.key === "ArrowUp") { e.preventDefault(); rove(i - 1, true); }
      else if (e.key === "Home") { e.preventDefault(); rove(0, true); }
      else if (e.key === "End") { e.preventDefault(); rove(buttons.length - 1, true); }
      else if (e.key === "Escape") { e.preventDefault(); area.focus(); }
    });
    rove(0, false);

    area.addEventListener("keydown", function (e) {
      if (e.altKey && e.key === "F10") { e.preventDefault(); rove(current, true); return; }
      if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return;
      var key = e.key.toLowerCase();
      var name = key === "b" ? "bold" : key === "i" ? "italic" : key === "k" ? "link" : null;
      if (!name) return;
      e.preventDefault();
      actions[name]();
    });

    // ---- the document picker ----
    var opener = null, kept = null;
    function openPicker(button) {
      if (!picker) return;
      opener = button;
      kept = selection(); // the textarea's selection, for when the link goes in
      picker.hidden = false;
      button.setAttribute("aria-expanded", "true");
      var q = picker.querySelector("input");
      q.value = "";
      resetList();
      q.focus();
    }
    function closePicker(back) {
      if (!picker || picker.hidden) return;
      picker.hidden = true;
      if (opener) opener.setAttribute("aria-expanded", "false");
      if (back && kept) {
        area.focus();
        area.setSelectionRange(kept.start, kept.end);
      }
    }
    function resetList() {
      var list = picker.querySelector("[role=listbox]");
      list.innerHTML = "";
      picker.querySelector("input").setAttribute("aria-expanded", "false");
      picker.querySelector("input").removeAttribute("aria-activedescendant");
      picker.querySelector(".md-picker-status").textContent = "";
    }
    function choose(slug) {
      if (!WIKI_SLUG.test(slug) || !kept) return;
      closePicker(false);
      var label = kept.text.trim();
      var ok = label && label.length <= 120 && !/[\]\n|]/.test(label);
      replace(kept.start, kept.end, "[[" + slug + (ok ? "|" + label : "") + "]]", 0, 0);
      var end = kept.start + slug.length + 4 + (ok ? label.length + 1 : 0);
      area.setSelectionRange(end, end);
    }
    if (picker) setupPicker();

    function setupPicker() {
      var input = picker.querySelector("input");
      var list = picker.querySelector("[role=listbox]");
      var status = picker.querySelector(".md-picker-status");
      var active = -1, ticket = 0, timer = null;

      function options() { return list.querySelectorAll("[role=option]"); }
      function highlight(i) {
        var all = options();
        if (!all.length) return;
        active = (i + all.length) % all.length;
        all.forEach(function (o, k) { o.setAttribute("aria-selected", k === active ? "true" : "false"); });
        input.setAttribute("aria-activedescendant", all[active].id);
        all[active].scrollIntoView({ block: "nearest" });
      }
      function show(items) {
        list.innerHTML = "";
        active = -1;
        items.forEach(function (item, i) {
          if (!WIKI_SLUG.test(item.slug || "")) return;
          var li = document.createElement("li");
          li.setAttribute("role", "option");
          li.id = "md-picker-optie-" + i;
          li.dataset.slug = item.slug;
          li.setAttribute("aria-selected", "false");
          var title = document.createElement("span");
          title.className = "md-picker-title";
          title.textContent = item.title; // text only: titles are never parsed as HTML
          li.appendChild(title);
          if (item.kind === "script" || item.audience === "internal") {
            var badge = document.createElement("span");
            badge.className = "badge " + (item.kind === "script" ? "script" : "internal");
            badge.textContent = item.kind === "script" ? word("script") : word("intern");
            li.appendChild(document.createTextNode(" "));
            li.appendChild(badge);
          }
          var slug = document.createElement("span");
          slug.className = "md-picker-slug";
          slug.textContent = "[[" + item.slug + "]]";
          li.appendChild(slug);
          li.addEventListener("mousedown", function (e) { e.preventDefault(); }); // keep focus
          li.addEventListener("click", function () { choose(item.slug); });
          list.appendChild(li);
        });
        var count = options().length;
        input.setAttribute("aria-expanded", count ? "true" : "false");
        input.removeAttribute("aria-activedescendant");
        status.textContent = count ? word("results").replace("{n}", count) : word("none");
        if (count) highlight(0);
      }
      function search() {
        var q = input.value.trim();
        var mine = ++ticket;
        if (q.length < 2) { resetList(); status.textContent = q ? word("short") : ""; return; }
        status.textContent = word("searching");
        fetch(picker.dataset.suggest + "?q=" + encodeURIComponent(q.slice(0, 100)), {
          headers: { Accept: "application/json" }, credentials: "same-origin",
        })
          .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
          .then(function (data) { if (mine === ticket) show(data.suggestions || []); })
          .catch(function () { if (mine === ticket) { list.innerHTML = ""; status.textContent = word("failed"); } });
      }
      input.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(search, 150);
      });
      input.addEventListener("keydown", function (e) {
        if (e.key === "ArrowDown") { e.preventDefault(); highlight(active + 1); }
        else if (e.key === "ArrowUp") { e.preventDefault(); highlight(active - 1); }
        else if (e.key === "Escape") { e.preventDefault(); closePicker(true); }
        else if (e.key === "Enter") {
          e.preventDefault(); // never submit the document form from here
          var all = options();
          if (active >= 0 && all[active]) choose(all[active].dataset.slug);
        }
      });
      picker.querySelector("[data-picker-close]").addEventListener("click", function () { closePicker(true); });
      picker.addEventListener("keydown", function (e) {
        if (e.key === "Escape") { e.preventDefault(); closePicker(true); }
      });
    }

    toolbar.hidden = false;
    document.querySelectorAll(".md-keys-js").forEach(function (el) { el.hidden = false; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".md-toolbar[aria-controls]").forEach(setup);
  });
})();
