/* The basket (素材篮): a list of paragraphs kept in localStorage.
 *
 * Items carry their text only for display here; the export posts paragraph
 * ids and the server fetches the texts from the index itself.
 */
(function () {
  'use strict';
  var Portal = (window.Portal = window.Portal || {});
  var KEY = 'union-summaries.basket.v1';
  var listeners = [];

  function load() {
    try {
      var items = JSON.parse(window.localStorage.getItem(KEY) || '[]');
      return Array.isArray(items) ? items.filter(function (i) { return i && typeof i.id === 'string'; }) : [];
    } catch (err) {
      return [];
    }
  }

  function save(items) {
    try {
      window.localStorage.setItem(KEY, JSON.stringify(items));
    } catch (err) {
      Portal.toast && Portal.toast('无法保存素材篮：浏览器存储不可用或已满');
    }
    listeners.forEach(function (fn) { fn(items); });
  }

  var basket = (Portal.basket = {
    items: load,
    save: save,
    has: function (id) { return load().some(function (i) { return i.id === id; }); },
    add: function (item) {
      var items = load();
      if (!items.some(function (i) { return i.id === item.id; })) items.push(item);
      save(items);
    },
    remove: function (id) { save(load().filter(function (i) { return i.id !== id; })); },
    move: function (id, delta) {
      var items = load();
      var from = items.findIndex(function (i) { return i.id === id; });
      var to = from + delta;
      if (from < 0 || to < 0 || to >= items.length) return;
      var moved = items.splice(from, 1)[0];
      items.splice(to, 0, moved);
      save(items);
    },
    clear: function () { save([]); },
    onChange: function (fn) { listeners.push(fn); }
  });

  function updateBadge(items) {
    var badge = document.getElementById('basket-count');
    if (!badge) return;
    badge.textContent = String(items.length);
    badge.hidden = items.length === 0;
  }

  function updateToggles(items) {
    var ids = {};
    items.forEach(function (i) { ids[i.id] = true; });
    document.querySelectorAll('[data-basket-toggle]').forEach(function (button) {
      var paragraph = Portal.paragraphOf(button);
      var inside = !!(paragraph && ids[paragraph.id]);
      button.hidden = false;
      button.setAttribute('aria-pressed', inside ? 'true' : 'false');
      button.textContent = inside ? '已在素材篮 ✓' : '加入素材篮';
      button.classList.toggle('is-done', inside);
    });
  }

  function refresh() {
    var items = load();
    updateBadge(items);
    updateToggles(items);
  }

  basket.onChange(function (items) {
    updateBadge(items);
    updateToggles(items);
  });

  document.addEventListener('click', function (event) {
    var button = event.target.closest('[data-basket-toggle]');
    if (!button) return;
    var paragraph = Portal.paragraphOf(button);
    if (!paragraph) return;
    if (basket.has(paragraph.id)) {
      basket.remove(paragraph.id);
      Portal.toast('已从素材篮移除');
    } else {
      basket.add(paragraph);
      Portal.toast('已加入素材篮（共 ' + load().length + ' 段）');
    }
  });

  // Another tab changed the basket: keep this one in step.
  window.addEventListener('storage', function (event) {
    if (event.key === KEY) save(load());
  });

  document.addEventListener('DOMContentLoaded', refresh);
})();
