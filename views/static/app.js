// Progressive enhancement only: every page works without this file. Text comes from the page
// (data-* attributes filled from the message tables), never from here.
(() => {
  const toggle = document.getElementById('show-password');
  const field = document.getElementById('password');
  if (toggle && field) {
    toggle.closest('.toggle').hidden = false;
    toggle.addEventListener('change', () => {
      field.type = toggle.checked ? 'text' : 'password';
    });
  }

  // Counts from the server's remaining time, not the visitor's clock, which may be wrong.
  const countdown = document.querySelector('[data-countdown-ms]');
  if (countdown) {
    const until = performance.now() + Number(countdown.getAttribute('data-countdown-ms'));
    const format = countdown.getAttribute('data-countdown-format');
    const ended = countdown.getAttribute('data-countdown-ended');
    const tick = () => {
      const left = Math.max(0, until - performance.now());
      if (left <= 0) {
        countdown.textContent = ended;
        return;
      }
      const m = Math.floor(left / 60000);
      const s = Math.floor((left % 60000) / 1000);
      countdown.textContent = format.replace('{m}', String(m)).replace('{s}', String(s).padStart(2, '0'));
      setTimeout(tick, 1000 - (left % 1000));
    };
    tick();
  }

  // The answer to the download form is the file, so the page stays: say what happened and what next.
  const started = document.getElementById('download-started');
  const downloadForm = document.querySelector('form.download');
  if (started && downloadForm) {
    downloadForm.addEventListener('submit', () => {
      started.textContent = started.getAttribute('data-message');
    });
  }
})();
