/* Site-wide keyboard shortcuts and the basket page.
 *
 *   /   focus the search box (from anywhere but a text field)
 */
(function () {
  'use strict';
  var Portal = (window.Portal = window.Portal || {});

  /** True when a key press belongs to a text field, not to the page. */
  Portal.isTyping = function (event) {
    var target = event.target;
    return event.ctrlKey || event.metaKey || event.altKey ||
      (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)));
  };

  document.addEventListener('keydown', function (event) {
    if (event.key !== '/' || Portal.isTyping(event)) return;
    var box = document.querySelector('.js-search-box');
    if (!box) return;
    event.preventDefault();
    box.focus();
    box.select();
  });

  // ---- the basket page -------------------------------------------------

  function button(label, action, disabled, aria) {
    var b = document.createElement('button');
    b.type = 'button';
    b.className = 'button button-small';
    b.textContent = label;
    b.dataset.action = action;
    b.disabled = !!disabled;
    if (aria) b.setAttribute('aria-label', aria);
    return b;
  }

  function renderBasket(app) {
    var items = Portal.basket.items();
    var list = document.getElementById('basket-list');
    var ids = document.getElementById('basket-ids');
    var focusedAction = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.action : null;
    var focusedId = document.activeElement && document.activeElement.closest ? (document.activeElement.closest('[data-id]') || {}).dataset : null;
    list.textContent = '';
    ids.textContent = '';
    items.forEach(function (item, index) {
      var li = document.createElement('li');
      li.className = 'basket-item';
      li.dataset.id = item.id;

      var number = document.createElement('span');
      number.className = 'basket-number';
      number.textContent = String(index + 1);

      var body = document.createElement('div');
      body.className = 'basket-body';
      var text = document.createElement('p');
      text.className = 'basket-text';
      text.textContent = item.text;
      var source = document.createElement('p');
      source.className = 'basket-source';
      var link = document.createElement('a');
      link.href = item.href || '#';
      link.textContent = item.source || item.title || item.id;
      source.appendChild(link);
      body.appendChild(text);
      body.appendChild(source);

      var controls = document.createElement('div');
      controls.className = 'basket-controls';
      controls.appendChild(button('↑ 上移', 'up', index === 0, '上移第 ' + (index + 1) + ' 段'));
      controls.appendChild(button('↓ 下移', 'down', index === items.length - 1, '下移第 ' + (index + 1) + ' 段'));
      controls.appendChild(button('移除', 'remove', false, '移除第 ' + (index + 1) + ' 段'));

      li.appendChild(number);
      li.appendChild(body);
      li.appendChild(controls);
      list.appendChild(li);

      var input = document.createElement('input');
      input.type = 'hidden';
      input.name = 'p';
      input.value = item.id;
      ids.appendChild(input);
    });
    document.getElementById('basket-summary').textContent = items.length ? '共 ' + items.length + ' 段' : '';
    document.getElementById('basket-empty').hidden = items.length > 0;
    document.getElementById('basket-export').hidden = items.length === 0;
    // Keep keyboard focus on the moved item's button so repeated moves are easy.
    if (focusedId && focusedAction) {
      var again = list.querySelector('[data-id="' + CSS.escape(focusedId.id) + '"] [data-action="' + focusedAction + '"]');
      if (again && !again.disabled) again.focus();
      else if (again) {
        var other = again.parentNode.querySelector('button:not([disabled])');
        if (other) other.focus();
      }
    }
  }

  document.addEventListener('DOMContentLoaded', function () {
    var app = document.getElementById('basket-app');
    if (!app || !Portal.basket) return;
    app.hidden = false;
    var undo = null;
    renderBasket(app);
    Portal.basket.onChange(function () { renderBasket(app); });

    document.getElementById('basket-list').addEventListener('click', function (event) {
      var b = event.target.closest('[data-action]');
      if (!b) return;
      var id = b.closest('[data-id]').dataset.id;
      if (b.dataset.action === 'up') Portal.basket.move(id, -1);
      else if (b.dataset.action === 'down') Portal.basket.move(id, 1);
      else if (b.dataset.action === 'remove') Portal.basket.remove(id);
    });

    document.getElementById('basket-clear').addEventListener('click', function () {
      undo = Portal.basket.items();
      Portal.basket.clear();
      document.getElementById('basket-undo').hidden = false;
    });
    document.getElementById('basket-undo-button').addEventListener('click', function () {
      if (undo) Portal.basket.save(undo);
      undo = null;
      document.getElementById('basket-undo').hidden = true;
    });
  });
})();
