// kb: the script page. Steps, placeholders, checks and copying, all in the browser.
//
// window.kbScript.init(root) turns the stored HTML of a script (an <article>, in root or
// root itself) into numbered steps with anchors #stap-N, placeholder fields and tickable
// checks. It is idempotent, so a page that inserts a script without a full page load (the
// agent console) calls it again on the new root. What the agent types stays in this page:
// it is never put in a form, a request, a cookie or storage.
(function () {
  "use strict";

  // {{name}}, but not {{{name}}}: the same rule as the script files (tests/test_content_scripts.py).
  // The "{" before is checked in code: a look-behind would stop older browsers parsing this file.
  var PLACEHOLDER = /\{\{([a-z][a-z0-9_]*)\}\}(?!\})/g;
  var DEFAULTS = {
    step: "Stap",
    copyStep: "Kopieer tekst",
    copyQuote: "Kopieer",
    copyAll: "Kopieer hele script",
    copied: "Gekopieerd",
    copyFailed: "Kopiëren lukte niet: selecteer de tekst en druk op Ctrl+C.",
    progress: "{done} van {total} controles gedaan",
    fields: "Invullen voor dit gesprek",
    private: "Blijft in deze browser; wordt niet verstuurd of opgeslagen.",
    keys: "j/k of ↓/↑: volgende/vorige stap · c: kopieer stap · Shift+C: kopieer alles · x: vink af",
  };
  var BLOCKS = /^(P|DIV|SECTION|BLOCKQUOTE|PRE|TABLE|UL|OL|DL|H[1-6]|HR|HEADER)$/;
  var controllers = [];
  var made = 0;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function labelFor(name) {
    var words = name.replace(/_+/g, " ").trim();
    return words.charAt(0).toUpperCase() + words.slice(1);
  }

  function isTyping(target) {
    if (!target || !target.tagName) return false;
    if (target.isContentEditable) return true;
    if (target.tagName === "TEXTAREA" || target.tagName === "SELECT") return true;
    if (target.tagName !== "INPUT") return false;
    return !/^(checkbox|radio|button|submit|reset)$/.test(target.type);
  }

  // Plain text of a node as an agent would paste it: blocks on their own lines, list items
  // with "- ", checks as [ ]/[x], quotes with "> " when asked; buttons and labels left out.
  function toText(node, quotes) {
    var out = "";
    node.childNodes.forEach(function (child) {
      if (child.nodeType === 3) {
        out += child.data.replace(/\s+/g, " ");
        return;
      }
      if (child.nodeType !== 1 || child.classList.contains("kbs-ui")) return;
      var tag = child.tagName;
      if (tag === "INPUT") {
        if (child.type !== "checkbox") return;
        var next = child.nextSibling;
        out += child.checked ? "[x]" : "[ ]";
        if (!(next && next.nodeType === 3 && /^\s/.test(next.data))) out += " ";
        return;
      }
      if (tag === "BR") {
        out += "\n";
        return;
      }
      if (child.classList.contains("kbs-no")) {
        out += child.textContent + ": ";
        return;
      }
      if (tag === "TR") {
        var cells = Array.prototype.map.call(child.children, function (cell) {
          return tidy(toText(cell, quotes)).replace(/\s*\n\s*/g, " ");
        });
        out += "\n" + cells.join(" | ");
        return;
      }
      var inner = toText(child, quotes);
      if (tag === "LI") {
        out += "\n- " + inner.trim().replace(/\n{2,}/g, "\n");
      } else if (tag === "PRE") {
        out += "\n\n" + child.textContent + "\n\n";
      } else if (BLOCKS.test(tag)) {
        inner = tidy(inner);
        if (tag === "BLOCKQUOTE" && quotes) {
          inner = inner
            .split("\n")
            .map(function (line) { return line ? "> " + line : ">"; })
            .join("\n");
        }
        out += "\n\n" + inner + "\n\n";
      } else {
        out += inner;
      }
    });
    return out;
  }

  function tidy(text) {
    return text
      .split("\n")
      .map(function (line) { return line.replace(/^ +| +$/g, ""); })
      .join("\n")
      .replace(/\n{3,}/g, "\n\n")
      .trim();
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return legacyCopy(text); });
    }
    return legacyCopy(text);
  }

  // Plain http on a non-local address has no Clipboard API; the old way still works there.
  function legacyCopy(text) {
    return new Promise(function (resolve, reject) {
      var area = el("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "kbs-offscreen";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      area.remove();
      if (ok) resolve(); else reject(new Error("copy"));
    });
  }

  function Script(root, body) {
    this.root = root;
    this.body = body;
    this.t = {};
    for (var key in DEFAULTS) {
      var attr = "t" + key.charAt(0).toUpperCase() + key.slice(1);
      this.t[key] = root.dataset[attr] || DEFAULTS[key];
    }
    this.steps = [];
    this.current = -1;
    this.statusTimer = null;
    this.uid = ++made;
  }

  Script.prototype.setup = function () {
    var body = this.body;
    body.classList.add("kbs-body");
    this.buildSteps();
    this.fields = this.buildPlaceholders();
    this.upgradeOldChecks();
    this.checks = Array.prototype.slice.call(body.querySelectorAll('input[type="checkbox"]'));
    this.checks.forEach(function (box) { box.disabled = false; });
    this.buildBar();
    this.updateProgress();
    this.bindEvents();
    var wanted = /^#stap-(\d+)$/.exec(window.location.hash);
    var start = wanted ? Number(wanted[1]) - 1 : 0;
    if (this.steps.length) this.go(start >= 0 && start < this.steps.length ? start : 0, !!wanted);
  };

  // Every level-2 heading starts a step that runs to the next one; text before the first
  // heading is the introduction and stays as it is.
  Script.prototype.buildSteps = function () {
    var self = this;
    var heads = Array.prototype.filter.call(self.body.children, function (node) {
      return node.tagName === "H2";
    });
    heads.forEach(function (head, i) {
      var n = i + 1;
      var section = el("section", "kbs-step");
      section.id = "stap-" + n;
      section.dataset.step = String(n);
      section.tabIndex = -1;
      head.parentNode.insertBefore(section, head);
      var node = head;
      while (node && !(node !== head && node.nodeType === 1 && node.tagName === "H2")) {
        var next = node.nextSibling;
        section.appendChild(node);
        node = next;
      }
      var number = el("span", "kbs-no", self.t.step + " " + n);
      head.insertBefore(number, head.firstChild);
      if (!head.id) head.id = "kbs-" + self.uid + "-kop-" + n;
      // Moving with j/k focuses the step: it is named by its heading ("Stap 2 Reset").
      section.setAttribute("aria-labelledby", head.id);
      var copy = el("button", "kbs-ui kbs-copy", self.t.copyStep);
      copy.type = "button";
      copy.dataset.kbsCopy = "step";
      copy.setAttribute("aria-describedby", head.id); // which step's text it copies
      var top = el("div", "kbs-head");
      section.insertBefore(top, head);
      top.appendChild(head);
      top.appendChild(copy);
      var quotes = section.querySelectorAll(":scope > blockquote");
      if (quotes.length > 1) {
        quotes.forEach(function (quote) {
          var one = el("button", "kbs-ui kbs-copy kbs-copy-quote", self.t.copyQuote);
          one.type = "button";
          one.dataset.kbsCopy = "quote";
          quote.insertBefore(one, quote.firstChild);
        });
      }
      self.steps.push(section);
    });
  };

  // {{name}} in text becomes a span that shows the typed value, or {{name}} while empty.
  // Anything else between braces is not a placeholder and stays the text it is.
  Script.prototype.buildPlaceholders = function () {
    var names = [];
    var walker = document.createTreeWalker(this.body, NodeFilter.SHOW_TEXT);
    var texts = [];
    while (walker.nextNode()) {
      if (walker.currentNode.data.indexOf("{{") !== -1) texts.push(walker.currentNode);
    }
    texts.forEach(function (text) {
      var data = text.data;
      var parts = document.createDocumentFragment();
      var last = 0;
      var match;
      PLACEHOLDER.lastIndex = 0;
      while ((match = PLACEHOLDER.exec(data))) {
        if (match.index > 0 && data.charAt(match.index - 1) === "{") continue;
        if (match.index > last) parts.appendChild(document.createTextNode(data.slice(last, match.index)));
        var span = el("span", "kbs-ph kbs-empty", match[0]);
        span.dataset.ph = match[1];
        parts.appendChild(span);
        if (names.indexOf(match[1]) === -1) names.push(match[1]);
        last = match.index + match[0].length;
      }
      if (last === 0) return;
      if (last < data.length) parts.appendChild(document.createTextNode(data.slice(last)));
      text.parentNode.replaceChild(parts, text);
    });
    return names;
  };

  // Revisions saved before task lists were rendered hold "[ ] text" as plain list items;
  // give those their checkbox here, as the renderer does now.
  Script.prototype.upgradeOldChecks = function () {
    this.body.querySelectorAll("li").forEach(function (li) {
      var first = li.firstChild;
      if (li.querySelector("input") || !first || first.nodeType !== 3) return;
      var match = /^\s*\[([ xX])\][ \t]+/.exec(first.data);
      if (!match) return;
      first.data = " " + first.data.slice(match[0].length);
      var label = el("label");
      var box = el("input");
      box.type = "checkbox";
      box.checked = match[1] !== " ";
      label.appendChild(box);
      while (li.firstChild && !/^(UL|OL|P|DIV|BLOCKQUOTE|PRE|TABLE)$/.test(li.firstChild.nodeName)) {
        label.appendChild(li.firstChild);
      }
      li.insertBefore(label, li.firstChild);
      li.classList.add("task");
      li.parentNode.classList.add("task-list");
    });
  };

  Script.prototype.buildBar = function () {
    var self = this;
    var bar = self.root.querySelector(".kbs-bar");
    if (!bar) {
      bar = el("div", "kbs-bar");
      self.body.parentNode.insertBefore(bar, self.body);
    }
    bar.classList.add("kbs-ui");
    bar.textContent = "";
    self.inputs = {};
    var tools = el("div", "kbs-tools");
    self.progress = el("span", "kbs-progress");
    self.progress.setAttribute("aria-live", "polite");
    self.progress.hidden = !self.checks.length;
    var all = el("button", "kbs-copy kbs-copy-all", self.t.copyAll);
    all.type = "button";
    all.dataset.kbsCopy = "all";
    self.status = el("span", "kbs-status");
    self.status.setAttribute("role", "status");
    tools.appendChild(all);
    tools.appendChild(self.progress);
    tools.appendChild(self.status);
    bar.appendChild(tools);
    if (self.fields.length) {
      var group = el("fieldset", "kbs-fields");
      group.appendChild(el("legend", "", self.t.fields));
      var grid = el("div", "kbs-field-grid");
      group.appendChild(grid);
      self.fields.forEach(function (name) {
        var id = "kbs-" + self.uid + "-" + name;
        var wrap = el("div", "kbs-field");
        var label = el("label", "", labelFor(name));
        label.htmlFor = id;
        var input = el("input");
        input.type = "text";
        input.id = id;
        input.dataset.ph = name;
        input.placeholder = "{{" + name + "}}";
        // No name and no form: the value cannot be submitted. No autofill or spelling
        // service either, so the browser does not keep or send it elsewhere.
        input.autocomplete = "off";
        input.spellcheck = false;
        input.setAttribute("autocapitalize", "off");
        wrap.appendChild(label);
        wrap.appendChild(input);
        grid.appendChild(wrap);
        self.inputs[name] = input;
      });
      group.appendChild(el("p", "kbs-private", self.t.private));
      bar.appendChild(group);
    }
    bar.appendChild(el("p", "kbs-keys", self.t.keys));
    self.bar = bar;
  };

  Script.prototype.fill = function (name, value) {
    this.body.querySelectorAll(".kbs-ph").forEach(function (span) {
      if (span.dataset.ph !== name) return;
      span.textContent = value || "{{" + name + "}}";
      span.classList.toggle("kbs-empty", !value);
    });
  };

  Script.prototype.updateProgress = function () {
    var done = this.checks.filter(function (box) { return box.checked; }).length;
    this.progress.textContent = this.t.progress
      .replace("{done}", String(done))
      .replace("{total}", String(this.checks.length));
    this.progress.classList.toggle("kbs-all-done", done === this.checks.length);
    this.steps.forEach(function (step) {
      var boxes = step.querySelectorAll('input[type="checkbox"]');
      var open = step.querySelectorAll('input[type="checkbox"]:not(:checked)');
      step.classList.toggle("kbs-done", boxes.length > 0 && open.length === 0);
    });
  };

  // Make step i current; scroll it into view and focus it when the agent moved there.
  Script.prototype.go = function (i, move) {
    if (!this.steps.length) return;
    i = Math.max(0, Math.min(this.steps.length - 1, i));
    if (this.current >= 0 && this.steps[this.current]) {
      this.steps[this.current].classList.remove("kbs-current");
      this.steps[this.current].removeAttribute("aria-current");
    }
    this.current = i;
    var step = this.steps[i];
    step.classList.add("kbs-current");
    step.setAttribute("aria-current", "step");
    if (move) {
      step.focus({ preventScroll: true });
      step.scrollIntoView({ block: "start" });
    }
  };

  Script.prototype.textOf = function (what, button) {
    if (what === "all") return tidy(toText(this.body, true));
    if (what === "quote") {
      return tidy(toText(button.closest("blockquote"), false));
    }
    var step = button ? button.closest(".kbs-step") : this.steps[this.current];
    if (!step) return "";
    // A step's text is what the agent says or sends: its quotes. A step without
    // quotes (a check list, an instruction) is copied whole.
    var quotes = step.querySelectorAll("blockquote");
    if (!quotes.length) return tidy(toText(step, true));
    return Array.prototype.map
      .call(quotes, function (quote) { return tidy(toText(quote, false)); })
      .join("\n\n");
  };

  // Copy a text; the button that asked (or the one for the same thing) says "Gekopieerd".
  Script.prototype.copy = function (what, button) {
    var self = this;
    if (!button) {
      var scope = what === "all" ? self.bar : self.steps[self.current];
      button = scope ? scope.querySelector('[data-kbs-copy="' + what + '"]') : null;
    }
    var text = self.textOf(what, button);
    if (!text) return;
    copyText(text).then(
      function () { self.say(self.t.copied, button, false); },
      function () { self.say(self.t.copyFailed, button, true); }
    );
  };

  Script.prototype.say = function (message, button, failed) {
    var self = this;
    self.status.textContent = message;
    self.status.classList.toggle("kbs-failed", failed);
    if (button && !failed) {
      if (!button.dataset.label) button.dataset.label = button.textContent;
      button.textContent = message + " ✓";
      button.classList.add("kbs-did-copy");
      clearTimeout(button.kbsTimer);
      button.kbsTimer = setTimeout(function () {
        button.textContent = button.dataset.label;
        button.classList.remove("kbs-did-copy");
      }, 2000);
    }
    clearTimeout(self.statusTimer);
    self.statusTimer = setTimeout(function () { self.status.textContent = ""; }, failed ? 6000 : 2000);
  };

  Script.prototype.bindEvents = function () {
    var self = this;
    self.bar.addEventListener("input", function (e) {
      if (e.target.dataset && e.target.dataset.ph) self.fill(e.target.dataset.ph, e.target.value);
    });
    self.bar.addEventListener("keydown", function (e) {
      // Escape in a field goes back to the script, so j/k work again. It goes no further:
      // a page around the script (the console) must not take it as "close the script".
      if (e.key === "Escape" && e.target.dataset && e.target.dataset.ph) {
        e.preventDefault();
        e.stopPropagation();
        if (self.steps[self.current]) self.go(self.current, true);
        else e.target.blur();
      }
    });
    self.root.addEventListener("click", function (e) {
      var target = e.target;
      var button = target.closest("[data-kbs-copy]");
      if (button && self.root.contains(button)) {
        var step = button.closest(".kbs-step");
        if (step) self.go(self.steps.indexOf(step), false);
        self.copy(button.dataset.kbsCopy, button);
        return;
      }
      var link = target.closest('a[href^="#stap-"]');
      if (link && self.body.contains(link)) {
        var n = /^#stap-(\d+)$/.exec(link.getAttribute("href"));
        if (n && self.steps[Number(n[1]) - 1]) {
          e.preventDefault();
          self.go(Number(n[1]) - 1, true);
          return;
        }
      }
      var clicked = target.closest(".kbs-step");
      if (clicked && self.body.contains(clicked)) self.go(self.steps.indexOf(clicked), false);
      // A placeholder in the text leads to its field (Escape there comes back).
      var ph = target.closest(".kbs-ph");
      if (ph && self.inputs[ph.dataset.ph] && !target.closest("a, label")) {
        self.inputs[ph.dataset.ph].focus();
      }
    });
    self.body.addEventListener("change", function (e) {
      if (e.target.type === "checkbox") self.updateProgress();
    });
  };

  Script.prototype.onKey = function (e) {
    var key = e.key;
    if (key === "j" || key === "ArrowDown") this.go(this.current + 1, true);
    else if (key === "k" || key === "ArrowUp") this.go(this.current - 1, true);
    else if (key === "c") this.copy("step", null);
    else if (key === "C") this.copy("all", null);
    else if (key === "x") this.tickNext();
    else return false;
    return true;
  };

  Script.prototype.tickNext = function () {
    var step = this.steps[this.current];
    var box = step && step.querySelector('input[type="checkbox"]:not(:checked)');
    if (!box) return;
    box.checked = true;
    this.updateProgress();
  };

  // One key handler for the page; it serves the script the agent is in, or the newest one.
  function activeScript() {
    var live = controllers.filter(function (c) { return c.body.isConnected; });
    controllers = live;
    var focused = document.activeElement;
    for (var i = live.length - 1; i >= 0; i--) {
      if (focused && live[i].root.contains(focused)) return live[i];
    }
    return live[live.length - 1] || null;
  }

  // A link elsewhere on the page, or Back, to #stap-N.
  window.addEventListener("hashchange", function () {
    var wanted = /^#stap-(\d+)$/.exec(window.location.hash);
    var script = wanted && activeScript();
    if (script && script.steps[Number(wanted[1]) - 1]) script.go(Number(wanted[1]) - 1, true);
  });

  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || e.isComposing) return;
    if (isTyping(e.target)) return;
    var script = activeScript();
    if (script && script.onKey(e)) e.preventDefault();
  });

  function init(root) {
    if (!root) return null;
    var body = root.tagName === "ARTICLE" ? root : root.querySelector("article");
    if (!body) return null;
    if (body.kbScript) return body.kbScript;
    var script = new Script(root, body);
    body.kbScript = script;
    controllers.push(script);
    script.setup();
    return script;
  }

  window.kbScript = { init: init };

  function start() {
    document.querySelectorAll("[data-kb-script]").forEach(init);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
