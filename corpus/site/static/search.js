// Full-text search over window.CORPUS_SEARCH (search-index.js, loaded by a <script> tag so that it works
// from file://). The query comes from the URL (?q=...), so a search can be shared as a link.
"use strict";

(function () {
  const index = window.CORPUS_SEARCH;
  const ideographic = new RegExp("[" + index.ideographs + "]+", "gu");
  const WORD = /[\p{L}\p{N}]+/gu; // Python's [^\W_]: letters and digits

  // The same runs as corpus/site/search.py's _runs: words, with ideographic runs split out.
  function runs(text) {
    const out = [];
    for (const word of text.normalize("NFKC").toLowerCase().match(WORD) || []) {
      let pos = 0;
      for (const m of word.matchAll(ideographic)) {
        if (m.index > pos) out.push([word.slice(pos, m.index), false]);
        out.push([m[0], true]);
        pos = m.index + m[0].length;
      }
      if (pos < word.length) out.push([word.slice(pos), false]);
    }
    return out;
  }

  // corpus/site/search.py's query_tokens.
  function queryTokens(text) {
    const out = [];
    for (const [run, ideo] of runs(text)) {
      const chars = Array.from(run);
      if (ideo && chars.length > 1) {
        for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
      } else {
        out.push(run);
      }
    }
    return Array.from(new Set(out));
  }

  function postings(token) {
    const found = new Map();
    // Own keys only: a query word such as "constructor" or "__proto__" must not reach Object.prototype.
    if (!Object.prototype.hasOwnProperty.call(index.postings, token)) return found;
    const encoded = index.postings[token];
    let doc = 0;
    for (const part of encoded.split(",")) {
      const [delta, count] = part.split(":");
      doc += parseInt(delta, 36);
      found.set(doc, count === undefined ? 1 : parseInt(count, 36));
    }
    return found;
  }

  // Every token must occur; documents are ranked by a BM25-like sum, rarer tokens weighing more.
  function search(text) {
    const tokens = queryTokens(text);
    if (!tokens.length) return [];
    const n = index.docs.length;
    let scores = null;
    for (const token of tokens) {
      const hits = postings(token);
      const idf = Math.log(1 + (n - hits.size + 0.5) / (hits.size + 0.5));
      const next = new Map();
      for (const [doc, tf] of hits) {
        if (scores !== null && !scores.has(doc)) continue;
        next.set(doc, (scores === null ? 0 : scores.get(doc)) + idf * tf / (tf + 1.2));
      }
      scores = next;
      if (!scores.size) break;
    }
    return Array.from(scores).sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([doc]) => index.docs[doc]);
  }

  // Where the query's tokens occur in a text, as a pattern: a word token as a whole word, an ideographic
  // token anywhere; case-insensitive, as the index folds case.
  const IDEOGRAPHIC = new RegExp("^[" + index.ideographs + "]+$", "u");
  function hitPattern(tokens) {
    const escaped = tokens.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    const parts = escaped.map((t, i) => IDEOGRAPHIC.test(tokens[i]) ? t : "(?<![\\p{L}\\p{N}])" + t + "(?![\\p{L}\\p{N}])");
    return new RegExp(parts.join("|"), "giu");
  }

  const SNIPPET = 80; // characters of context on each side of the first hit
  // A code-unit offset moved off the second half of a surrogate pair, so no character is cut in two.
  function whole(text, at) {
    return at > 0 && at < text.length && /[\uDC00-\uDFFF]/.test(text[at]) ? at - 1 : at;
  }

  // The text around the first hit, the hits in it marked (<mark>), and how many hits the whole text has.
  function snippet(text, pattern) {
    const found = Array.from(text.matchAll(pattern), (m) => [m.index, m.index + m[0].length]);
    const out = document.createElement("p");
    out.className = "snippet";
    if (!found.length) return [out, 0];
    const start = whole(text, Math.max(0, found[0][0] - SNIPPET));
    const end = whole(text, Math.min(text.length, found[0][1] + SNIPPET));
    let at = start;
    out.append(start > 0 ? "…" : "");
    for (const [a, b] of found) {
      if (a < at || b > end) continue;
      out.append(text.slice(at, a).replace(/\s+/g, " "));
      const mark = document.createElement("mark");
      mark.textContent = text.slice(a, b);
      out.append(mark);
      at = b;
    }
    out.append(text.slice(at, end).replace(/\s+/g, " ") + (end < text.length ? "…" : ""));
    return [out, found.length];
  }

  const q = new URLSearchParams(location.search).get("q") || "";
  document.getElementById("q").value = q;
  const list = document.getElementById("results");
  const status = document.getElementById("status");
  const texts = window.CORPUS_TEXTS || [];
  const number = new Map(index.docs.map((d, i) => [d[0], i]));
  if (q.trim()) {
    const found = search(q);
    const pattern = hitPattern(queryTokens(q));
    status.textContent = found.length + (found.length === 1 ? " document" : " documents") + " match “" + q + "”.";
    for (const [id, title, date, genre, language] of found) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = "documents/" + id + ".html";
      link.textContent = title;
      link.className = "result";
      item.appendChild(link);
      const [text, hits] = snippet(texts[number.get(id)] || "", pattern);
      const about = document.createElement("span");
      about.className = "muted";
      about.textContent = " — " + [date, genre, language].filter(Boolean).join(", ");
      item.appendChild(about);
      const count = document.createElement("span");
      count.className = "count hits";
      count.textContent = hits ? " — " + hits + (hits === 1 ? " hit" : " hits") + " in the text" : " — in the title";
      item.appendChild(count);
      item.appendChild(text);
      list.appendChild(item);
    }
  } else {
    status.textContent = "Type words in English or Chinese; every word must occur.";
  }
  document.body.dataset.ready = "1";
})();
