/**
 * What the router's pages (agent workspace, QA page) share, written once: the server-side
 * bilingual label, and the browser-side helpers their scripts include (plain ES2017 inside each
 * script's IIFE). Data goes into a page through `textContent` only, never as markup.
 */

/** A bilingual label: `<span lang="zh-CN">领取下一个</span> <span lang="en">Claim next</span>`. */
export function bi(zh: string, en: string): string {
  return `<span lang="zh-CN">${zh}</span> <span lang="en">${en}</span>`;
}

/** DOM helpers for a page script: el, clear, make, bi, setLabel, when, show, say. */
export const domHelpersSource = String.raw`
  function el(id) { return document.getElementById(id); }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  /** An element with text: data goes in through textContent only, never as markup. */
  function make(tag, text, className) {
    var node = document.createElement(tag);
    if (text != null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }
  /** A bilingual label as two spans, each with its lang. */
  function bi(zh, en) {
    var wrap = document.createElement('span');
    var a = make('span', zh); a.lang = 'zh-CN';
    var b = make('span', en); b.lang = 'en';
    wrap.appendChild(a); wrap.appendChild(document.createTextNode(' ')); wrap.appendChild(b);
    return wrap;
  }
  function setLabel(node, pair) { clear(node).appendChild(bi(pair[0], pair[1])); }
  function when(iso) { return iso ? new Date(iso).toLocaleString() : '—'; }
  function show(node, on) { node.classList.toggle('hidden', !on); }
  function say(node, message, isError) {
    node.textContent = message || '';
    node.className = isError ? 'error' : 'ok';
  }
`;

/**
 * `api(method, path, body)` for a page script: a call to the router API on the session cookie; a
 * problem+json answer becomes an Error with its detail (and the fields it names); a 401 calls the
 * script's own `signedOut(message)`.
 */
export const apiCallSource = String.raw`
  function api(method, path, body) {
    var options = { method: method, credentials: 'same-origin', headers: {} };
    if (body !== undefined) {
      options.headers['Content-Type'] = 'application/json';
      options.body = JSON.stringify(body);
    }
    return fetch(path, options).then(function (r) {
      if (r.status === 204) return null;
      return r.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        if (r.ok) return data;
        var detail = (data && (data.detail || data.title)) || path + ' answered ' + r.status;
        if (data && data.errors && data.errors.length) {
          detail += ' (' + data.errors.map(function (e) { return e.path + ': ' + e.message; }).join('; ') + ')';
        }
        var error = new Error(detail);
        error.status = r.status;
        if (r.status === 401) signedOut('会话已结束，请重新登录。 The session ended; sign in again.');
        throw error;
      });
    });
  }
`;
