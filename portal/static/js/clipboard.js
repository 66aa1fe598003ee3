/* Copy text to the clipboard, and the copy buttons.
 *
 * navigator.clipboard exists only in secure contexts (https, localhost); the
 * portal often runs on plain-http intranet addresses, so a hidden textarea
 * with document.execCommand('copy') is the fallback.
 */
(function () {
  'use strict';
  var Portal = (window.Portal = window.Portal || {});

  function fallbackCopy(text) {
    var area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.setAttribute('aria-hidden', 'true');
    area.className = 'clipboard-buffer';
    document.body.appendChild(area);
    var active = document.activeElement;
    area.select();
    area.setSelectionRange(0, text.length);
    var ok = false;
    try {
      ok = document.execCommand('copy');
    } catch (err) {
      ok = false;
    }
    area.remove();
    if (active && active.focus) active.focus();
    return ok;
  }

  /** Copy text; resolves to true on success. */
  Portal.copyText = function (text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(
        function () { return true; },
        function () { return fallbackCopy(text); }
      );
    }
    return Promise.resolve(fallbackCopy(text));
  };

  /** The clean paragraph (and source line) a button belongs to, from its container's data-*. */
  Portal.paragraphOf = function (element) {
    var box = element.closest('[data-paragraph-id]');
    if (!box) return null;
    return {
      id: box.dataset.paragraphId,
      articleId: box.dataset.articleId || '',
      title: box.dataset.title || '',
      text: box.dataset.text || '',
      source: box.dataset.source || '',
      href: box.dataset.href || ''
    };
  };

  var toastTimer = null;
  /** A short status message (also read by screen readers: the toast is aria-live). */
  Portal.toast = function (message) {
    var toast = document.getElementById('toast');
    if (!toast) return;
    toast.textContent = message;
    toast.classList.add('is-visible');
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { toast.classList.remove('is-visible'); }, 2200);
  };

  function confirmButton(button, label) {
    if (!button.dataset.label) button.dataset.label = button.textContent;
    button.textContent = label;
    button.classList.add('is-done');
    clearTimeout(button._resetTimer);
    button._resetTimer = setTimeout(function () {
      button.textContent = button.dataset.label;
      button.classList.remove('is-done');
    }, 1800);
  }

  document.addEventListener('click', function (event) {
    var button = event.target.closest('[data-copy]');
    if (!button) return;
    var paragraph = Portal.paragraphOf(button);
    if (!paragraph) return;
    var text = button.dataset.copy === 'cite' ? paragraph.text + '\n' + paragraph.source : paragraph.text;
    Portal.copyText(text).then(function (ok) {
      if (ok) {
        confirmButton(button, '已复制');
        Portal.toast(button.dataset.copy === 'cite' ? '已复制段落及出处' : '已复制');
      } else {
        Portal.toast('复制失败：请选中文字后按 Ctrl+C');
      }
    });
  });

  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('[data-copy]').forEach(function (b) { b.hidden = false; });
  });
})();
