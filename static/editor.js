// kb editor: who else is editing (heartbeat), a local copy of unsaved text (offered back after a
// closed tab, never applied by itself; for a new document too), a warning before leaving unsaved
// work, the category picker ("Nieuwe categorie…"), the fields per kind (a channel only for
// scripts) and the merge page's choices. No framework, no CDN; kb.js clears the local copy once
// a save went through.
(function () {
  "use strict";

  var PREFIX = "kb:concept:";
  var NEW_KEY = "kb:nieuw-document"; // not under PREFIX: a document may be called "nieuw"

  // Hidden fields are disabled as well, so what the page does not show is not sent either.
  function showPart(part, on) {
    part.hidden = !on;
    part.querySelectorAll("input, select, textarea").forEach(function (el) {
      el.disabled = !on;
    });
  }

  // ---- the category: an existing one, or "Nieuwe categorie…" with a field for its name ----
  function setupCategory(form) {
    var select = form.querySelector("select[name=category]");
    var box = document.getElementById("new-category");
    if (!select || !box) return;
    var input = box.querySelector("input[name=new_category]");
    function update(focus) {
      var on = select.value === select.dataset.newValue;
      showPart(box, on);
      if (on && focus && input) input.focus();
    }
    select.addEventListener("change", function () { update(true); });
    update(false);
  }

  // ---- the fields per kind: audience for articles, a channel for scripts ----
  function setupKind(form) {
    var kind = form.querySelector("select[name=kind]");
    if (!kind) return; // editing: the page shows only the kind's own fields
    function update() {
      form.querySelectorAll("[data-for-kind]").forEach(function (part) {
        showPart(part, part.dataset.forKind === kind.value);
      });
    }
    kind.addEventListener("change", update);
    update();
  }

  function storage() {
    try {
      return window.localStorage;
    } catch (e) {
      return null; // storage blocked: the editor still works, without local copies
    }
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  // ---- presence: "Ook bezig met dit document: …" ----
  function setupPresence(form) {
    var url = form.dataset.presenceUrl;
    var box = document.getElementById("presence");
    if (!url || !box) return;
    var every = (parseInt(form.dataset.heartbeat, 10) || 60) * 1000;

    function beat() {
      fetch(url, {
        method: "POST",
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) return;
          box.textContent = data.text || "";
          box.hidden = !data.text;
        })
        .catch(function () { /* offline for a moment: the next beat tries again */ });
    }

    beat();
    setInterval(beat, every);
  }

  // ---- local copies of unsaved text ----
  function draftsOf(slug) {
    var store = storage();
    var found = [];
    if (!store) return found;
    for (var i = 0; i < store.length; i++) {
      var key = store.key(i);
      if (key && key.indexOf(PREFIX + slug + ":") === 0) {
        try {
          var draft = JSON.parse(store.getItem(key));
          if (draft && typeof draft.body === "string") {
            draft.key = key;
            found.push(draft);
          }
        } catch (e) {
          store.removeItem(key); // not ours, or damaged
        }
      }
    }
    found.sort(function (a, b) { return (b.savedAt || 0) - (a.savedAt || 0); });
    return found;
  }

  function markSaving(form) {
    try {
      sessionStorage.setItem(
        "kb:saving",
        JSON.stringify({ slug: form.dataset.draftSlug, done: form.dataset.doneUrl })
      );
    } catch (e) { /* no session storage: the copy stays until the next save or discard */ }
  }

  function setupEditor(form) {
    var slug = form.dataset.draftSlug;
    var store = storage();
    var title = form.querySelector("[name=title]");
    var body = form.querySelector("textarea[name=body]");
    var message = form.querySelector("[name=message]");
    var base = form.querySelector("[name=base_revision]");
    if (!slug || !body || !base) return;
    var initial = snapshot();
    var unsavedPage = form.dataset.unsaved === "1"; // shown again after a refused save
    var submitting = false;

    function snapshot() {
      return {
        title: title ? title.value : "",
        body: body.value,
        message: message ? message.value : "",
      };
    }

    function same(a, b) {
      return a.title === b.title && a.body === b.body && a.message === b.message;
    }

    function dirty() {
      return unsavedPage || !same(snapshot(), initial);
    }

    function keep() {
      if (!store) return;
      var key = PREFIX + slug + ":" + base.value;
      try {
        if (dirty()) {
          var copy = snapshot();
          copy.base = base.value;
          copy.savedAt = Date.now();
          store.setItem(key, JSON.stringify(copy));
        } else {
          store.removeItem(key);
        }
      } catch (e) { /* storage full: nothing else to do */ }
    }

    var timer = null;
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(keep, 600);
    });
    form.addEventListener("submit", function () {
      clearTimeout(timer);
      keep(); // kept until the save went through (kb.js clears it then)
      submitting = true;
      markSaving(form);
    });
    window.addEventListener("beforeunload", function (e) {
      if (submitting || !dirty()) return undefined;
      e.preventDefault();
      e.returnValue = ""; // the browser shows its own "leave page?" question
      return "";
    });

    offer(form, slug, snapshot, function (draft) {
      if (title) title.value = draft.title || title.value;
      body.value = draft.body;
      if (message) message.value = draft.message || "";
      base.value = draft.base; // an older base makes the save go through the merge
      body.dispatchEvent(new Event("input", { bubbles: true })); // preview and autosave
    });
    if (unsavedPage) keep();
  }

  function offer(form, slug, snapshot, restore) {
    var box = document.getElementById("draft-offer");
    if (!box || form.dataset.unsaved === "1") return;
    var now = snapshot();
    var drafts = draftsOf(slug).filter(function (d) {
      return d.body !== now.body || (d.title || "") !== now.title;
    });
    if (!drafts.length) return;
    var draft = drafts[0];
    var when = new Date(draft.savedAt || Date.now());
    var text = box.dataset.text.replace(
      "{when}",
      when.toLocaleDateString("nl-NL") + " " +
        when.toLocaleTimeString(document.documentElement.lang || "nl", { hour: "2-digit", minute: "2-digit" })
    );
    if (String(draft.base) !== String(form.dataset.current)) {
      text += " " + box.dataset.older
        .replace("{base}", draft.base)
        .replace("{current}", form.dataset.current);
    }
    box.querySelector(".draft-text").textContent = text;
    box.hidden = false;
    document.getElementById("draft-restore").addEventListener("click", function () {
      restore(draft);
      box.hidden = true;
    });
    document.getElementById("draft-discard").addEventListener("click", function () {
      var store = storage();
      if (store) drafts.forEach(function (d) { store.removeItem(d.key); });
      box.hidden = true;
    });
  }

  // ---- a new document: one local copy of the whole form until it is saved ----
  function formValues(form) {
    var values = {};
    form.querySelectorAll("input[name], select[name], textarea[name]").forEach(function (el) {
      if (el.type === "hidden" || el.type === "submit") return;
      values[el.name] = el.type === "checkbox" ? (el.checked ? "1" : "") : el.value;
    });
    return values;
  }

  function setupNewDraft(form) {
    var store = storage();
    var initial = JSON.stringify(formValues(form));
    var unsavedPage = form.dataset.unsaved === "1"; // shown again after a refused save
    var submitting = false;

    function dirty() {
      return unsavedPage || JSON.stringify(formValues(form)) !== initial;
    }

    function keep() {
      if (!store) return;
      try {
        if (dirty()) {
          store.setItem(NEW_KEY, JSON.stringify({ values: formValues(form), savedAt: Date.now() }));
        } else {
          store.removeItem(NEW_KEY);
        }
      } catch (e) { /* storage full: nothing else to do */ }
    }

    var timer = null;
    function later() {
      clearTimeout(timer);
      timer = setTimeout(keep, 600);
    }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    form.addEventListener("submit", function () {
      clearTimeout(timer);
      keep(); // kept until the document exists (kb.js clears it then)
      submitting = true;
      try {
        sessionStorage.setItem("kb:saving", JSON.stringify({ newDraft: NEW_KEY, form: window.location.pathname }));
      } catch (e) { /* no session storage: the copy stays until discarded */ }
    });
    window.addEventListener("beforeunload", function (e) {
      if (submitting || !dirty()) return undefined;
      e.preventDefault();
      e.returnValue = "";
      return "";
    });
    if (unsavedPage) {
      keep();
      return;
    }
    offerNew(form, store);
  }

  function offerNew(form, store) {
    var box = document.getElementById("draft-offer");
    if (!box || !store) return;
    var draft = null;
    try {
      draft = JSON.parse(store.getItem(NEW_KEY) || "null");
    } catch (e) {
      store.removeItem(NEW_KEY);
    }
    if (!draft || !draft.values) return;
    if (JSON.stringify(draft.values) === JSON.stringify(formValues(form))) return;
    var when = new Date(draft.savedAt || Date.now());
    box.querySelector(".draft-text").textContent = box.dataset.text
      .replace("{title}", draft.values.title || box.dataset.untitled)
      .replace(
        "{when}",
        when.toLocaleDateString("nl-NL") + " " +
          when.toLocaleTimeString(document.documentElement.lang || "nl", { hour: "2-digit", minute: "2-digit" })
      );
    box.hidden = false;
    document.getElementById("draft-restore").addEventListener("click", function () {
      // Selects first, so the fields they show are enabled before their values go in.
      var names = Object.keys(draft.values);
      names.sort(function (a, b) {
        var sa = form.elements[a] && form.elements[a].tagName === "SELECT" ? 0 : 1;
        var sb = form.elements[b] && form.elements[b].tagName === "SELECT" ? 0 : 1;
        return sa - sb;
      });
      names.forEach(function (name) {
        var el = form.elements[name];
        if (!el || el.type === "hidden" || !("value" in el)) return;
        el.value = draft.values[name];
        el.dispatchEvent(new Event(el.tagName === "SELECT" ? "change" : "input", { bubbles: true }));
      });
      box.hidden = true;
      var title = form.elements.title;
      if (title) title.focus();
    });
    document.getElementById("draft-discard").addEventListener("click", function () {
      store.removeItem(NEW_KEY);
      box.hidden = true;
    });
  }

  // ---- the merge page: count open choices, mark decided blocks, warn before leaving ----
  function setupMerge(form) {
    var submitting = false;
    var count = document.getElementById("merge-count");
    var groups = {};
    form.querySelectorAll("input[type=radio]").forEach(function (radio) {
      groups[radio.name] = true;
    });
    var names = Object.keys(groups);

    function update() {
      var open = 0;
      names.forEach(function (name) {
        var chosen = form.querySelector('input[name="' + name + '"]:checked');
        var holder = document.getElementById(name);
        if (holder) holder.classList.toggle("m-decided", !!chosen);
        if (!chosen) open += 1;
      });
      if (count && names.length) {
        count.textContent = open
          ? count.dataset.open.replace("{n}", open)
          : count.dataset.done;
      }
    }

    form.addEventListener("change", update);
    form.addEventListener("submit", function () {
      submitting = true;
      markSaving(form);
    });
    window.addEventListener("beforeunload", function (e) {
      if (submitting) return undefined;
      e.preventDefault();
      e.returnValue = "";
      return "";
    });
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var editor = document.querySelector("form#editor-form[data-draft-slug]");
    var fresh = document.querySelector("form#editor-form[data-new-draft]");
    var merge = document.querySelector("form#merge-form");
    var any = editor || fresh;
    if (any) {
      setupKind(any);
      setupCategory(any);
    }
    if (fresh) setupNewDraft(fresh);
    if (editor) {
      setupEditor(editor);
      setupPresence(editor);
    }
    if (merge) {
      setupMerge(merge);
      setupPresence(merge);
    }
  });
})();
