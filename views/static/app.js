// Progressive enhancement only: every page works without this file. Text comes from the page
// (data-* attributes filled from the message tables), never from here. Requests go only to the
// page's own origin (the download form's action and the page's own path).
(() => {
  // A page that answered a form (a wrong password, a wait) becomes a plain entry of its URL, so
  // a reload asks for the page again instead of offering to send the form a second time. The
  // form's #password-error, carried over a redirect to a page without an error, is dropped.
  if (history.replaceState) {
    const dangling = location.hash && !document.getElementById(decodeURIComponent(location.hash.slice(1)));
    history.replaceState(null, '', dangling ? location.pathname + location.search : location.href);
  }

  // The answer to a mistake: the error is announced, kept in view, and Tab reaches the field.
  const error = document.getElementById('password-error');
  if (error) {
    error.focus({ preventScroll: true });
    const box = error.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) error.scrollIntoView({ block: 'start' });
  }

  const toggle = document.getElementById('show-password');
  const field = document.getElementById('password');
  if (toggle && field) {
    toggle.closest('.toggle').hidden = false;
    toggle.addEventListener('change', () => {
      field.type = toggle.checked ? 'text' : 'password';
    });
  }

  // Counts from the server's remaining time, not the visitor's clock, which may be wrong.
  function startCountdown(root) {
    const countdown = root.querySelector('[data-countdown-ms]');
    if (!countdown) return;
    const until = performance.now() + Number(countdown.getAttribute('data-countdown-ms'));
    const format = countdown.getAttribute('data-countdown-format');
    const ended = countdown.getAttribute('data-countdown-ended');
    const tick = () => {
      if (!countdown.isConnected) return;
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

  function saveFile(blob, name) {
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }

  // The download is fetched here, so the page stays and then shows what the server now says:
  // the hour running, when it ends, the countdown and "download again". Anything other than
  // the file (the session ran out, the URL died) is left to the ordinary form post, whose
  // answer is a page that explains.
  function enhanceDownload(root) {
    const form = root.querySelector('form.download');
    if (!form || !window.fetch || !window.DOMParser || !URL.createObjectURL) return;
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const button = form.querySelector('button');
      button.disabled = true;
      let answer;
      try {
        answer = await fetch(form.action, { method: 'POST', body: new URLSearchParams(), credentials: 'same-origin' });
      } catch {
        form.submit();
        return;
      }
      if (!answer.ok || !(answer.headers.get('content-type') || '').startsWith('application/x-pkcs12')) {
        form.submit();
        return;
      }
      const blob = await answer.blob();
      announce();
      saveFile(blob, 'CERT.P12');
      let replaced = false;
      try {
        const page = await fetch(location.pathname, { credentials: 'same-origin' });
        const fresh = new DOMParser().parseFromString(await page.text(), 'text/html').querySelector('main');
        const main = document.querySelector('main');
        if (page.ok && fresh && main) {
          main.replaceWith(document.adoptNode(fresh));
          startCountdown(fresh);
          enhanceDownload(fresh);
          replaced = true;
        }
      } catch {
        // The file has come; the page simply stays as it was.
      }
      if (!replaced) button.disabled = false;
      announce();
    });
  }

  // Says where the file went; said again in the refreshed page, whose status line is new.
  function announce() {
    const started = document.getElementById('download-started');
    if (started) {
      started.textContent = started.getAttribute('data-message');
      started.focus({ preventScroll: true });
    }
  }

  startCountdown(document);
  enhanceDownload(document);
})();
