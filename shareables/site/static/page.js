/* Download page enhancements. Without this script every page lists everything and every
   download works; this adds Share (Web Share API with files), the size choice, copy
   buttons, search, the embed page's height for its parent, and the preview's live reload. */
(function () {
  "use strict";
  var doc = document, root = doc.documentElement;
  var ui = JSON.parse(doc.getElementById("ui-strings").textContent);
  var fmt = function (s, v) { return s.replace(/\{(\w+)\}/g, function (m, k) { return k in v ? v[k] : m; }); };
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
  var store = function (k, v) { try { localStorage.setItem(k, v); } catch (e) { /* private mode */ } };
  var load = function (k) { try { return localStorage.getItem(k); } catch (e) { return null; } };

  // A language the visitor picks is remembered, so the next page opens in it too.
  doc.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a[data-lang]");
    if (a) store("shareables-lang", a.getAttribute("data-lang"));
  });

  // --- cards: the size choice, Share and Save -------------------------------------------
  var cards = [].slice.call(doc.querySelectorAll("article.card"));

  function picture(a, eager) {
    var img = doc.createElement("img");
    img.src = a.getAttribute("data-src");
    var set = a.getAttribute("data-srcset");
    if (set) img.srcset = set;
    if (a.getAttribute("data-w")) { img.width = +a.getAttribute("data-w"); img.height = +a.getAttribute("data-h"); }
    img.alt = "";
    img.decoding = "async";
    if (!eager) img.loading = "lazy";
    return img;
  }

  function choose(card, shape) {
    var grp = card.querySelector('section.grp[data-shape="' + shape + '"]');
    var main = grp && grp.querySelector("li.main");
    if (!main) return false;
    var links = main.querySelectorAll("a[data-src]"), shot = card.querySelector(".shot");
    if (!links.length || !shot) return false;
    var box = doc.createElement("div");
    box.className = "shot shape-" + shape;
    if (main.classList.contains("set")) {
      var ol = doc.createElement("ol");
      ol.className = "strip";
      ol.tabIndex = 0;
      ol.setAttribute("aria-label", shot.querySelector("ol").getAttribute("aria-label"));
      each(links, function (a, i) {
        var li = doc.createElement("li"), v = doc.createElement("a"), n = doc.createElement("span");
        v.href = a.getAttribute("data-view");
        v.setAttribute("aria-label", fmt(ui.slide_n, { n: i + 1, total: links.length }));
        v.appendChild(picture(a, i < 2));
        n.className = "n";
        n.setAttribute("aria-hidden", "true");
        n.textContent = (i + 1) + "/" + links.length;
        li.appendChild(v);
        li.appendChild(n);
        ol.appendChild(li);
      });
      box.appendChild(ol);
    } else {
      var view = doc.createElement("a");
      view.className = "view";
      view.href = links[0].getAttribute("data-view");
      view.setAttribute("aria-label", shot.querySelector("a").getAttribute("aria-label"));
      view.appendChild(picture(links[0], true));
      box.appendChild(view);
    }
    // `sizes` depends on the shape (shapes.py caps each at its own width).
    each(box.querySelectorAll("img"), function (img) {
      var w = { square: 352, portrait: 320, story: 240, wide: 384, pin: 272 }[shape] || 352;
      if (img.srcset) img.sizes = "(min-width: " + (w + 32) + "px) " + w + "px, calc(100vw - 32px)";
    });
    shot.parentNode.replaceChild(box, shot);
    each(card.querySelectorAll(".sizes button"), function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-shape") === shape ? "true" : "false");
    });
    var fits = card.querySelector(".fits");
    if (fits) fits.textContent = grp.getAttribute("data-apps");
    var save = card.querySelector("a.save"), zip = grp.querySelector("li.zip a");
    var target = main.classList.contains("set") ? (zip || card.querySelector("a.all") || links[0]) : links[0];
    if (save && target) {
      save.setAttribute("href", target.getAttribute("href"));
      save.setAttribute("download", target.getAttribute("download"));
    }
    card.classList.toggle("no-share", main.getAttribute("data-share") !== "1");
    card.setAttribute("data-shape", shape);
    return true;
  }

  cards.forEach(function (card) {
    var sizes = card.querySelector(".sizes");
    if (sizes) {
      sizes.addEventListener("click", function (e) {
        var b = e.target.closest("button[data-shape]");
        if (!b) return;
        var shape = b.getAttribute("data-shape");
        store("shareables-shape", shape);
        // One choice for the whole page: a supporter posting stories wants every card a story.
        cards.forEach(function (c) { choose(c, shape); });
        b.focus();
      });
    }
  });
  var preferred = load("shareables-shape");
  if (preferred) cards.forEach(function (c) { choose(c, preferred); });

  function files(card) {
    var grp = card.querySelector('section.grp[data-shape="' + card.getAttribute("data-shape") + '"]');
    var links = grp.querySelectorAll("li.main a[download]");
    return Promise.all([].map.call(links, function (a) {
      return fetch(a.href).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.blob();
      }).then(function (b) {
        return new File([b], a.getAttribute("download"), { type: a.getAttribute("type") || b.type });
      });
    }));
  }

  each(doc.querySelectorAll("article.card button.share"), function (btn) {
    var card = btn.closest("article"), status = card.querySelector(".hint.status"), ready = null;
    var prepare = function () { if (!ready) ready = files(card); return ready; };
    btn.addEventListener("pointerdown", prepare);
    btn.addEventListener("click", function () {
      var caption = card.querySelector(".copytext");
      status.textContent = ui.preparing;
      prepare().then(function (list) {
        var data = { files: list, title: card.getAttribute("data-title") };
        if (caption) data.text = caption.textContent;
        if (navigator.canShare && !navigator.canShare(data)) throw new Error("cannot share");
        return navigator.share(data);
      }).then(function () { status.textContent = ""; }, function (err) {
        status.textContent = err && err.name === "AbortError" ? "" : ui.share_failed;
      });
    });
    // A new size means new files.
    var sizes = card.querySelector(".sizes");
    if (sizes) sizes.addEventListener("click", function () { ready = null; });
  });

  // --- copy buttons: the Clipboard API, with a selection fallback -------------------------
  each(doc.querySelectorAll("button.copy[data-copy]"), function (btn) {
    var source = doc.getElementById(btn.getAttribute("data-copy")), note = btn.nextElementSibling;
    btn.addEventListener("click", function () {
      var text = source.textContent;
      var done = function () { note.textContent = ui.copied; };
      var fallback = function () {
        var range = doc.createRange(), sel = window.getSelection();
        range.selectNodeContents(source);
        sel.removeAllRanges();
        sel.addRange(range);
        var ok = false;
        try { ok = doc.execCommand("copy"); } catch (e) { ok = false; }
        note.textContent = ok ? ui.copied : ui.copy_failed;
      };
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, fallback);
      else fallback();
    });
  });

  // --- search over search.json (fetched on first use) ------------------------------------
  var form = doc.querySelector("form.search");
  if (form) {
    var input = form.querySelector("input"), status = form.querySelector(".search-status");
    var list = form.querySelector(".results"), index = null, lang = root.getAttribute("data-page-lang");
    var suffix = lang === "en" ? ".html" : "." + lang + ".html";
    var fold = function (s) { return s.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f\u064b-\u065f\u0670\u0591-\u05c7]/g, ""); };
    var get = function () {
      if (!index) index = fetch(form.getAttribute("data-index")).then(function (r) { return r.json(); });
      return index;
    };
    var run = function () {
      var q = fold(input.value.trim());
      if (!q) { list.textContent = ""; status.textContent = ""; return; }
      get().then(function (data) {
        var words = q.split(/\s+/), hits = data.designs.filter(function (d) {
          return words.every(function (w) { return d.q.indexOf(w) >= 0; });
        });
        list.textContent = "";
        hits.slice(0, 30).forEach(function (d) {
          var li = doc.createElement("li"), a = doc.createElement("a"), name = doc.createElement("span");
          var small = doc.createElement("small");
          a.href = d.p + suffix + "#" + d.a;
          var h = d.h[lang] || d.h[Object.keys(d.h)[0]];
          name.textContent = h;
          name.dir = "auto";
          small.textContent = d.c;
          a.appendChild(name);
          a.appendChild(small);
          li.appendChild(a);
          list.appendChild(li);
        });
        status.textContent = hits.length ? fmt(ui.search_found, { n: hits.length }) : fmt(ui.search_none, { q: input.value.trim() });
      });
    };
    input.addEventListener("focus", get, { once: true });
    input.addEventListener("input", run);
    form.addEventListener("submit", function (e) { e.preventDefault(); run(); });
  }

  // --- embed: tell the parent page how tall this is --------------------------------------
  if (root.classList.contains("embed") && window.parent !== window) {
    var last = 0, post = function () {
      var h = Math.ceil(doc.documentElement.getBoundingClientRect().height);
      if (h !== last) { last = h; window.parent.postMessage({ type: "shareables:height", height: h }, "*"); }
    };
    if (window.ResizeObserver) new ResizeObserver(post).observe(doc.body);
    window.addEventListener("load", post);
    post();
  }

  // `shareables serve` only: poll the build version and reload when it changes.
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
