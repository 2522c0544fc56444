/* Download page enhancements. Without this script the page lists everything and every
   download still works; this adds filters, the language switch and "copy caption". */
(function () {
  "use strict";
  var doc = document, root = doc.documentElement;
  root.classList.add("js");
  var designs = [].slice.call(doc.querySelectorAll("article.design"));

  function showVariant(design, id) {
    var buttons = design.querySelectorAll(".langswitch button");
    if (!buttons.length) return;
    [].forEach.call(buttons, function (b) {
      var on = b.getAttribute("data-show") === id;
      b.setAttribute("aria-pressed", on ? "true" : "false");
      doc.getElementById(b.getAttribute("data-show")).hidden = !on;
    });
  }

  // Language switch: one variant at a time, the design's own language first.
  designs.forEach(function (design) {
    var sw = design.querySelector(".langswitch");
    if (!sw) return;
    sw.hidden = false;
    design.classList.add("switchable");
    sw.addEventListener("click", function (e) {
      var b = e.target.closest("button[data-show]");
      if (b) showVariant(design, b.getAttribute("data-show"));
    });
    showVariant(design, sw.querySelector("button").getAttribute("data-show"));
  });

  // Filters by campaign, platform and language; the state lives in the URL so it can be shared.
  var form = doc.getElementById("filters");
  if (form) {
    var status = doc.getElementById("filter-status"), none = doc.getElementById("no-match");
    var fields = ["campaign", "platform", "lang"];
    var has = function (list, v) { return (" " + list + " ").indexOf(" " + v + " ") >= 0; };
    var apply = function (fromUser) {
      var c = form.campaign.value, p = form.platform.value, l = form.lang.value, shown = 0;
      designs.forEach(function (d) {
        var ok = (!c || d.getAttribute("data-campaign") === c) &&
          (!p || has(d.getAttribute("data-platforms"), p)) &&
          (!l || has(d.getAttribute("data-langs"), l));
        d.hidden = !ok;
        if (ok) shown++;
        [].forEach.call(d.querySelectorAll("li[data-platform]"), function (li) {
          li.hidden = !!p && li.getAttribute("data-platform") !== p;
        });
        var variants = d.querySelectorAll("section.variant");
        if (d.classList.contains("switchable")) {
          var want = l && d.querySelector('section.variant[data-lang="' + l + '"]');
          if (want) showVariant(d, want.id);
        } else {
          [].forEach.call(variants, function (v) {
            v.hidden = !!l && v.getAttribute("data-lang") !== l;
          });
        }
      });
      [].forEach.call(doc.querySelectorAll("section.campaign"), function (s) {
        s.hidden = !s.querySelector("article.design:not([hidden])");
      });
      none.hidden = shown > 0;
      var any = c || p || l;
      status.textContent = any ? shown + (shown === 1 ? " design" : " designs") + " shown" : "";
      if (fromUser && window.history && history.replaceState) {
        var q = new URLSearchParams();
        fields.forEach(function (f) { if (form[f].value) q.set(f, form[f].value); });
        var s = q.toString();
        history.replaceState(null, "", location.pathname + (s ? "?" + s : "") + location.hash);
      }
    };
    var params = new URLSearchParams(location.search);
    fields.forEach(function (f) {
      var v = params.get(f), sel = form[f];
      if (v && [].some.call(sel.options, function (o) { return o.value === v; })) sel.value = v;
    });
    form.hidden = false;
    form.addEventListener("change", function () { apply(true); });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    form.addEventListener("reset", function () { setTimeout(function () { apply(true); }, 0); });
    apply(false);
  }

  // Copy caption: the Clipboard API, with a selection fallback for older browsers.
  [].forEach.call(doc.querySelectorAll("button.copy[data-copy]"), function (btn) {
    var source = doc.getElementById(btn.getAttribute("data-copy"));
    var note = btn.nextElementSibling;
    btn.hidden = false;
    btn.addEventListener("click", function () {
      var text = source.textContent;
      var done = function () { note.textContent = "Caption copied"; };
      var fallback = function () {
        var range = doc.createRange(), sel = window.getSelection();
        range.selectNodeContents(source);
        sel.removeAllRanges();
        sel.addRange(range);
        var ok = false;
        try { ok = doc.execCommand("copy"); } catch (e) { ok = false; }
        note.textContent = ok ? "Caption copied" : "Caption selected: copy it from the menu";
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, fallback);
      } else {
        fallback();
      }
    });
  });

  // `shareables serve` only: poll the build version and reload when it changes.
  // The page names the version it was rendered from (?since=), so a build that finishes
  // before the first poll still reloads it.
  var live = root.getAttribute("data-live-reload");
  if (live && window.fetch) {
    var seen = new URL(live, location.href).searchParams.get("since");
    var poll = function () {
      fetch(live, { cache: "no-store" }).then(function (r) { return r.text(); }).then(function (v) {
        if (seen === null) seen = v;
        else if (v !== seen) { location.reload(); return; }
        setTimeout(poll, 1000);
      }, function () { setTimeout(poll, 2000); });
    };
    poll();
  }

  // Share a clip as the MP4 file itself (Web Share level 2). The buttons stay hidden where the
  // browser cannot share files; the download link next to each works everywhere.
  var probe = typeof File === "function" && navigator.canShare &&
    navigator.canShare({files: [new File([""], "clip.mp4", {type: "video/mp4"})]});
  if (probe) {
    document.querySelectorAll("[data-share-clip]").forEach(function (b) {
      b.hidden = false;
      b.addEventListener("click", function () {
        b.disabled = true;
        fetch(b.getAttribute("data-share-clip")).then(function (r) {
          if (!r.ok) { throw new Error(r.status); }
          return r.blob();
        }).then(function (blob) {
          var file = new File([blob], b.getAttribute("data-name"), {type: "video/mp4"});
          return navigator.share({files: [file], text: b.getAttribute("data-text") || undefined});
        }).catch(function () {}).then(function () { b.disabled = false; });
      });
    });
  }
})();
