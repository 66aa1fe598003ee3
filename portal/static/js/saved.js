/* Saved searches: name a search, list them, and see how many paragraphs each
 * has gained since it was last opened.
 *
 * Without a login they are kept in this browser (localStorage). Each entry:
 * { name, search (its query string), total (paragraphs when last opened),
 * savedAt, openedAt }. "New" is the growth of the search's total: paragraphs
 * added to the archive that match it.
 *
 * Logged in (the page carries #saved-account), they belong to the account:
 * the list is kept on the server (/api/saved, portal/api_saved.py), which
 * counts the new paragraphs itself, so the same list shows in any browser.
 * Searches saved in this browser before logging in can be merged into the
 * account from the saved-searches page.
 */
(function () {
  'use strict';
  var KEY = 'union-summaries.saved-searches';
  var Portal = (window.Portal = window.Portal || {});
  var account = null; // the #saved-account element when logged in

  function load() {
    try { return JSON.parse(window.localStorage.getItem(KEY) || '[]') || []; } catch (e) { return []; }
  }
  function store(items) { window.localStorage.setItem(KEY, JSON.stringify(items)); }
  function normal(search) {
    var params = new URLSearchParams(search);
    params.delete('page');
    params.sort();
    return params.toString();
  }
  function toast(message) { if (Portal.toast) Portal.toast(message); }

  Portal.savedSearches = { load: load, store: store };

  /* One call to the account's list; rejects with the server's own reason (a 400's "error"). */
  function call(method, path, body) {
    var headers = { Accept: 'application/json' };
    if (method !== 'GET') headers['X-CSRFToken'] = account.dataset.csrf;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(account.dataset.api + path, {
      method: method,
      headers: headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) throw new Error(data.error || ('服务器返回 ' + response.status));
        return data;
      });
    });
  }
  function failed(what) {
    return function (error) { toast(what + '：' + error.message); };
  }

  function onSearchPage() {
    var save = document.querySelector('.js-save-search');
    if (!save) return;
    var link = document.querySelector('.js-saved-link');
    var here = normal(save.dataset.search);
    var fallbackName = save.dataset.query || '我的检索';
    save.hidden = false;
    if (account) {
      call('GET', '?counts=0').then(function (data) {
        if (link) link.hidden = !data.items.length && !load().length;
        // Opening a saved search marks its new paragraphs as seen.
        data.items.forEach(function (item) {
          if (normal(item.search) === here) call('POST', '/' + item.id + '/opened').catch(function () {});
        });
      }).catch(function () {});
    } else {
      var items = load();
      var changed = false;
      items.forEach(function (item) {
        if (normal(item.search) === here) {
          item.total = Number(save.dataset.total);
          item.openedAt = new Date().toISOString();
          changed = true;
        }
      });
      if (changed) store(items);
      if (link) link.hidden = !items.length;
    }
    function saved(name) {
      if (link) link.hidden = false;
      save.textContent = '已保存';
      toast('已保存检索“' + name + '”' + (account ? '（账号 ' + account.dataset.user + '）' : ''));
    }
    save.addEventListener('click', function () {
      var name = window.prompt('给这个检索起个名字：', fallbackName);
      if (name === null) return;
      name = name.trim() || fallbackName;
      if (account) {
        call('POST', '', { name: name, search: here })
          .then(function (data) { saved(data.item.name); })
          .catch(failed('未能保存'));
        return;
      }
      var list = load().filter(function (item) { return normal(item.search) !== here; });
      var now = new Date().toISOString();
      list.unshift({ name: name, search: here, total: Number(save.dataset.total), savedAt: now, openedAt: now });
      store(list);
      saved(name);
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  /* One entry of the list; returns the element that shows its new paragraphs. */
  function row(list, item, onRemove) {
    var li = el('li', 'saved-item');
    var a = el('a', 'saved-name', item.name);
    a.href = '/?' + item.search;
    li.appendChild(a);
    li.appendChild(el('span', 'muted', '上次打开时 ' + item.total + ' 段'));
    var fresh = el('span', 'saved-new');
    fresh.setAttribute('aria-live', 'polite');
    li.appendChild(fresh);
    var remove = el('button', 'button button-small button-quiet', '删除');
    remove.type = 'button';
    remove.setAttribute('aria-label', '删除已保存的检索“' + item.name + '”');
    remove.addEventListener('click', onRemove);
    li.appendChild(remove);
    list.appendChild(li);
    return function show(added) {
      fresh.textContent = added > 0 ? '新增 ' + added + ' 段' : '没有新段落';
      li.dataset.added = String(Math.max(added, 0));
    };
  }

  function onSavedPage() {
    var list = document.getElementById('saved-list');
    if (!list) return;
    var empty = document.getElementById('saved-empty');

    function renderLocal() {
      var items = load();
      list.textContent = '';
      empty.hidden = items.length > 0;
      items.forEach(function (item, index) {
        var show = row(list, item, function () {
          var all = load();
          all.splice(index, 1);
          store(all);
          renderLocal();
        });
        var params = new URLSearchParams(item.search);
        params.delete('page');
        params.set('size', '1');
        fetch('/api/search?' + params.toString(), { headers: { Accept: 'application/json' } })
          .then(function (response) { return response.ok ? response.json() : null; })
          .then(function (data) { if (data) show(data.total - item.total); });
      });
    }

    function renderAccount() {
      return call('GET', '').then(function (data) {
        list.textContent = '';
        empty.hidden = data.items.length > 0;
        data.items.forEach(function (item) {
          var show = row(list, item, function () {
            call('DELETE', '/' + item.id).then(renderAccount).catch(failed('未能删除'));
          });
          if (item.added !== null) show(item.added);
        });
      }).catch(failed('未能读取已保存的检索'));
    }

    /* Searches saved in this browser before logging in: offer to move them into the account. */
    function offerMerge() {
      var box = document.getElementById('saved-merge');
      if (!box) return;
      box.hidden = !load().length;
      box.querySelector('.js-merge-count').textContent = String(load().length);
      box.querySelector('.js-merge').addEventListener('click', function () {
        var items = load();
        var entries = items.map(function (item) {
          return { name: item.name, search: item.search, total: Number.isFinite(item.total) ? item.total : null };
        });
        call('POST', '/merge', { items: entries }).then(function (data) {
          // Keep in the browser only what the account could not take.
          var kept = data.skipped.map(function (skip) { return items[skip.index]; });
          store(kept);
          box.hidden = !kept.length;
          box.querySelector('.js-merge-count').textContent = String(kept.length);
          toast('已并入账号 ' + data.merged + ' 个检索' +
                (kept.length ? '；' + kept.length + ' 个未能并入：' + data.skipped[0].reason : ''));
          renderAccount();
        }).catch(failed('未能并入'));
      });
    }

    if (account) {
      renderAccount();
      offerMerge();
    } else {
      renderLocal();
    }
  }

  document.addEventListener('DOMContentLoaded', function () {
    account = document.getElementById('saved-account');
    onSearchPage();
    onSavedPage();
  });
})();
