// Kennisbank preview: reload on change, swap stylesheets, show build errors.
// Injected by `python -m generator serve` into every HTML response; never written to disk.
(function () {
  "use strict";
  var me = document.currentScript;
  var version = me.getAttribute("data-version");
  var status = me.getAttribute("data-status") || "200";
  var OVERLAY_ID = "kb-preview-fout";

  function swapStylesheets(next) {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    Array.prototype.forEach.call(links, function (link) {
      var url = new URL(link.href, location.href);
      if (url.origin !== location.origin) return;
      url.searchParams.set("kb", next);
      var fresh = link.cloneNode();
      fresh.href = url.pathname + url.search;
      // The old sheet goes only once the new one applies: no flash of unstyled page.
      fresh.addEventListener("load", function () { link.remove(); });
      fresh.addEventListener("error", function () { fresh.remove(); });
      link.after(fresh);
    });
  }

  function showProblems(problems) {
    var old = document.getElementById(OVERLAY_ID);
    if (old) old.remove();
    if (!problems.length) return;
    var box = document.createElement("div");
    box.id = OVERLAY_ID;
    box.setAttribute("role", "alert");
    box.style.cssText =
      "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,20,.92);" +
      "color:#fff;font:16px/1.5 system-ui,sans-serif;padding:2rem";
    var title = document.createElement("h2");
    title.textContent = "De site kon niet worden gebouwd";
    title.style.cssText = "margin:0 0 1rem;color:#ffb4a8;font-size:1.4rem";
    box.appendChild(title);
    var intro = document.createElement("p");
    intro.textContent = "Je ziet de laatste versie die wel lukte. Herstel dit en sla op:";
    box.appendChild(intro);
    var list = document.createElement("ul");
    problems.forEach(function (problem) {
      var item = document.createElement("li");
      var where = document.createElement("code");
      where.textContent = problem.where;
      where.style.cssText = "color:#ffd479;font-weight:bold";
      item.appendChild(where);
      // textContent, never innerHTML: messages quote the editor's text.
      item.appendChild(document.createTextNode(": " + problem.message));
      list.appendChild(item);
    });
    box.appendChild(list);
    document.body.appendChild(box);
  }

  function connect() {
    var url = "/__kb/events?v=" + encodeURIComponent(version) +
      "&path=" + encodeURIComponent(location.pathname) + "&status=" + encodeURIComponent(status);
    var source = new EventSource(url);
    source.addEventListener("reload", function () {
      source.close();
      location.reload();
    });
    source.addEventListener("css", function (event) {
      version = JSON.parse(event.data).version;
      swapStylesheets(version);
    });
    source.addEventListener("problems", function (event) {
      showProblems(JSON.parse(event.data));
    });
  }

  connect();
})();
