// Progressive enhancement only: every page works without this file.
(() => {
  const toggle = document.getElementById('show-password');
  const field = document.getElementById('password');
  if (toggle && field) {
    toggle.closest('.toggle').hidden = false;
    toggle.addEventListener('change', () => {
      field.type = toggle.checked ? 'text' : 'password';
    });
  }
  const countdown = document.querySelector('[data-countdown-until]');
  if (countdown) {
    const until = Number(countdown.getAttribute('data-countdown-until'));
    const ja = countdown.getAttribute('data-countdown-lang') === 'ja';
    const tick = () => {
      const left = Math.max(0, until - Date.now());
      const m = Math.floor(left / 60000);
      const s = Math.floor((left % 60000) / 1000);
      countdown.textContent = ja ? `残り時間: ${m} 分 ${s} 秒` : `Time left: ${m} min ${s} s`;
      if (left > 0) setTimeout(tick, 1000);
    };
    tick();
  }
})();
