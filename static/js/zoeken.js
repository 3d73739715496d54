/* Search page: Pagefind's index, fetched in small chunks per query. */
(function () {
  "use strict";
  var script = document.currentScript;
  var bundle = script.getAttribute("data-bundle");
  var form = document.getElementById("zoekformulier");
  var field = document.getElementById("zoekveld");
  var status = document.getElementById("zoekstatus");
  var list = document.getElementById("zoekresultaten");
  var pagefind = null;
  var latest = 0;

  function load() {
    if (!pagefind) {
      pagefind = import(bundle + "pagefind.js").then(function (module) {
        return module.options({ baseUrl: bundle.replace(/pagefind\/$/, "") }).then(function () {
          module.init();
          return module;
        });
      });
    }
    return pagefind;
  }

  /* Pagefind's excerpt is HTML with <mark> around hits; keep only text and marks. */
  function excerpt(html) {
    var doc = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html");
    var out = document.createElement("p");
    out.className = "result-excerpt";
    Array.prototype.forEach.call(doc.body.firstChild.childNodes, function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        out.appendChild(mark);
      } else {
        out.appendChild(document.createTextNode(node.textContent));
      }
    });
    return out;
  }

  function show(results, query) {
    list.textContent = "";
    results.forEach(function (data) {
      var item = document.createElement("li");
      var heading = document.createElement("h2");
      var link = document.createElement("a");
      link.href = data.url;
      link.textContent = (data.meta && data.meta.title) || data.url;
      heading.appendChild(link);
      item.appendChild(heading);
      item.appendChild(excerpt(data.excerpt || ""));
      list.appendChild(item);
    });
    status.textContent = results.length
      ? results.length + (results.length === 1 ? " resultaat" : " resultaten") + " voor ‘" + query + "’"
      : "Niets gevonden voor ‘" + query + "’. Probeer een ander woord.";
  }

  function search(query) {
    var ticket = ++latest;
    query = query.trim();
    if (!query) {
      list.textContent = "";
      status.textContent = "";
      return;
    }
    status.textContent = "Zoeken…";
    load().then(function (module) {
      return module.search(query);
    }).then(function (found) {
      return Promise.all(found.results.slice(0, 20).map(function (r) { return r.data(); }));
    }).then(function (results) {
      if (ticket === latest) show(results, query);
    }).catch(function () {
      if (ticket === latest) status.textContent = "Zoeken lukt nu niet. Probeer het later opnieuw.";
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer); // the typing's own search, still waiting, would only run it again
    var url = new URL(window.location.href);
    url.searchParams.set("q", field.value);
    window.history.replaceState(null, "", url);
    search(field.value);
  });
  var timer = null;
  field.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { search(field.value); }, 250);
  });
  var initial = new URLSearchParams(window.location.search).get("q");
  if (initial) {
    field.value = initial;
    search(initial);
  }
})();
