/* Search page enhancements: filters apply on tick, filters fold on phones,
 * and "另有 N 处相同段落" lists its copies in place. Without this script the
 * same things work through the form's button and plain links.
 */
(function () {
  'use strict';
  var NARROW = '(max-width: 860px)';

  function text(tag, className, content) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (content) el.textContent = content;
    return el;
  }

  function articleUrl(copy, query) {
    // A part of a split paragraph is shown whole in the article, under the first part's id.
    var id = copy.part_of || copy.paragraph_id;
    var params = new URLSearchParams({ p: id });
    if (query) params.set('q', query);
    return '/articles/' + encodeURIComponent(copy.article_id) + '?' + params.toString() + '#p-' + id;
  }

  function loadCopies(details) {
    if (details.dataset.loaded) return;
    details.dataset.loaded = 'loading';
    fetch(details.dataset.copiesUrl, { headers: { Accept: 'application/json' } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        var body = details.querySelector('.copies-body');
        var fallback = body.querySelector('a');
        var list = text('ul', 'copies-list');
        data.copies.forEach(function (copy) {
          if (copy.paragraph_id === details.dataset.self) return;
          var li = text('li');
          var link = text('a', '', copy.title || copy.source_path);
          link.href = articleUrl(copy, details.dataset.query);
          li.appendChild(link);
          var meta = [copy.org_name, copy.year ? copy.year + '年' : '', copy.period !== '其他' ? copy.period : '']
            .filter(Boolean).join(' · ');
          if (meta) li.appendChild(text('span', 'muted', ' ' + meta));
          list.appendChild(li);
        });
        body.insertBefore(list, fallback);
        details.dataset.loaded = 'yes';
      })
      .catch(function () {
        details.dataset.loaded = '';  // keep the plain link; try again next time
      });
  }

  document.addEventListener('DOMContentLoaded', function () {
    var form = document.querySelector('.js-facet-form');
    if (form) {
      form.classList.add('is-live');
      form.addEventListener('change', function (event) {
        if (event.target.type === 'checkbox') form.submit();
      });
    }
    var filters = document.querySelector('details.filters');
    if (filters && window.matchMedia(NARROW).matches) filters.open = false;

    // j / k: next / previous hit, from anywhere but a text field (the first j jumps to the first hit).
    var hits = Array.prototype.slice.call(document.querySelectorAll('.hits .hit'));
    var current = -1;
    document.addEventListener('keydown', function (event) {
      var Portal = window.Portal || {};
      if (!hits.length || (Portal.isTyping && Portal.isTyping(event))) return;
      if (event.key !== 'j' && event.key !== 'k') return;
      event.preventDefault();
      if (current >= 0) hits[current].classList.remove('is-current');
      current = Math.max(0, Math.min(hits.length - 1, current + (event.key === 'j' ? 1 : -1)));
      var hit = hits[current];
      hit.classList.add('is-current');
      var link = hit.querySelector('.hit-title a');
      if (link) link.focus();
      hit.scrollIntoView({ block: 'nearest' });
    });

    document.querySelectorAll('details.copies').forEach(function (details) {
      details.addEventListener('toggle', function () { if (details.open) loadCopies(details); });
    });
  });
})();
