/* Saved searches, kept in this browser (localStorage): name a search, list them,
 * and see how many paragraphs each has gained since it was last opened.
 *
 * Each entry: { name, search (its query string), total (paragraphs when last
 * opened), savedAt, openedAt }. "New" is the growth of the search's total:
 * paragraphs added to the archive that match it.
 */
(function () {
  'use strict';
  var KEY = 'union-summaries.saved-searches';
  var Portal = (window.Portal = window.Portal || {});

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

  function onSearchPage() {
    var save = document.querySelector('.js-save-search');
    if (!save) return;
    var link = document.querySelector('.js-saved-link');
    var here = normal(save.dataset.search);
    var items = load();
    // Opening a saved search marks its new paragraphs as seen.
    var changed = false;
    items.forEach(function (item) {
      if (normal(item.search) === here) {
        item.total = Number(save.dataset.total);
        item.openedAt = new Date().toISOString();
        changed = true;
      }
    });
    if (changed) store(items);
    save.hidden = false;
    if (link) link.hidden = !items.length;
    save.addEventListener('click', function () {
      var name = window.prompt('给这个检索起个名字：', save.dataset.query || '我的检索');
      if (name === null) return;
      name = name.trim() || save.dataset.query || '我的检索';
      var list = load().filter(function (item) { return normal(item.search) !== here; });
      var now = new Date().toISOString();
      list.unshift({ name: name, search: here, total: Number(save.dataset.total), savedAt: now, openedAt: now });
      store(list);
      if (link) link.hidden = false;
      save.textContent = '已保存';
      toast('已保存检索“' + name + '”');
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function onSavedPage() {
    var list = document.getElementById('saved-list');
    if (!list) return;
    var empty = document.getElementById('saved-empty');
    function render() {
      var items = load();
      list.textContent = '';
      empty.hidden = items.length > 0;
      items.forEach(function (item, index) {
        var li = el('li', 'saved-item');
        var a = el('a', 'saved-name', item.name);
        a.href = '/?' + item.search;
        li.appendChild(a);
        var counts = el('span', 'muted', '上次打开时 ' + item.total + ' 段');
        li.appendChild(counts);
        var fresh = el('span', 'saved-new');
        fresh.setAttribute('aria-live', 'polite');
        li.appendChild(fresh);
        var remove = el('button', 'button button-small button-quiet', '删除');
        remove.type = 'button';
        remove.addEventListener('click', function () {
          var all = load();
          all.splice(index, 1);
          store(all);
          render();
        });
        li.appendChild(remove);
        list.appendChild(li);
        var params = new URLSearchParams(item.search);
        params.delete('page');
        params.set('size', '1');
        fetch('/api/search?' + params.toString(), { headers: { Accept: 'application/json' } })
          .then(function (response) { return response.ok ? response.json() : null; })
          .then(function (data) {
            if (!data) return;
            var added = data.total - item.total;
            fresh.textContent = added > 0 ? '新增 ' + added + ' 段' : '没有新段落';
            li.dataset.added = String(Math.max(added, 0));
          });
      });
    }
    render();
  }

  document.addEventListener('DOMContentLoaded', function () {
    onSearchPage();
    onSavedPage();
  });
})();
