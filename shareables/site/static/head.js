/* Runs in <head>, before the first paint, so nothing the script adds later moves the page:
   marks what the browser can do (classes on <html>) and opens the page in the visitor's
   language when there is one (navigator.languages, or the language they last chose). */
(function () {
  "use strict";
  var root = document.documentElement, c = root.classList;
  c.add("js");
  try {
    var probe = new File([""], "probe.png", { type: "image/png" });
    if (navigator.canShare && navigator.canShare({ files: [probe] })) c.add("can-share");
  } catch (e) { /* no File constructor or no canShare: keep the Save button only */ }
  // In-app browsers (Instagram, Facebook, TikTok, Line, Android WebViews) cannot share files.
  if (/FBAN|FBAV|Instagram|Line\/|TikTok|; wv\)/.test(navigator.userAgent)) c.add("in-app");
  var alts = {}, links = document.querySelectorAll("link[rel=alternate][hreflang]");
  for (var i = 0; i < links.length; i++) alts[links[i].hreflang.toLowerCase()] = links[i].href;
  var current = root.getAttribute("data-page-lang"), pick = null;
  try { pick = localStorage.getItem("shareables-lang"); } catch (e) { pick = null; }
  if (!pick || !alts[pick]) {
    pick = null;
    var prefs = navigator.languages || [navigator.language || ""];
    for (var j = 0; j < prefs.length && !pick; j++) {
      var full = String(prefs[j]).toLowerCase(), base = full.split("-")[0];
      pick = alts[full] ? full : (alts[base] ? base : null);
    }
  }
  if (pick && pick !== current && alts[pick] && !/[?&]stay\b/.test(location.search)) {
    location.replace(alts[pick] + location.hash);
  }
})();
