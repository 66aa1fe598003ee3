/* Article view: bring the hit paragraph into view, step through matches.
 *
 *   j / n   next match        k / p   previous match
 */
(function () {
  'use strict';
  var Portal = window.Portal || {};

  document.addEventListener('DOMContentLoaded', function () {
    var reduced = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    var target = document.querySelector('.article-body .is-target');
    if (target) target.scrollIntoView({ block: 'center' });

    var marks = Array.prototype.slice.call(document.querySelectorAll('.article-body mark'));
    var counter = document.getElementById('match-counter');
    var prev = document.getElementById('match-prev');
    var next = document.getElementById('match-next');
    if (!marks.length || !counter) return;
    var current = -1;

    function show(index, scroll) {
      if (current >= 0) marks[current].classList.remove('is-current');
      current = (index + marks.length) % marks.length;
      var mark = marks[current];
      mark.classList.add('is-current');
      counter.textContent = '第 ' + (current + 1) + ' / ' + marks.length + ' 处';
      if (scroll) mark.scrollIntoView({ block: 'center', behavior: reduced ? 'auto' : 'smooth' });
    }

    counter.hidden = false;
    prev.hidden = false;
    next.hidden = false;
    // Start at the hit paragraph's first match, so "next" continues from where the reader is.
    var first = target ? marks.indexOf(target.querySelector('mark')) : -1;
    show(first >= 0 ? first : 0, false);

    prev.addEventListener('click', function () { show(current - 1, true); });
    next.addEventListener('click', function () { show(current + 1, true); });
    document.addEventListener('keydown', function (event) {
      if (Portal.isTyping && Portal.isTyping(event)) return;
      if (event.key === 'j' || event.key === 'n') { event.preventDefault(); show(current + 1, true); }
      else if (event.key === 'k' || event.key === 'p') { event.preventDefault(); show(current - 1, true); }
    });
  });
})();
