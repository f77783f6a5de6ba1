import { Layout, type PageProps } from './layout.js';

export type LandingProps = PageProps & {
  action: string;
  deadline: string;
  error: string | null;
  status?: string;
};

export function LandingPage(props: LandingProps) {
  const { t, action, deadline, error } = props;
  return (
    <Layout {...props} title={t.landingTitle}>
      <h1>{t.landingTitle}</h1>
      <p>{t.landingIntro}</p>
      <p class="deadline">{t.landingDeadline(deadline)}</p>
      <p>{t.landingWhichCode}</p>
      <form method="post" action={action} class="card" novalidate>
        {error ? (
          <p id="password-error" class="error" role="alert">
            {error}
          </p>
        ) : null}
        <label for="password">{t.passwordLabel}</label>
        <input
          id="password"
          name="password"
          type="password"
          inputmode="text"
          autocapitalize="off"
          autocorrect="off"
          spellcheck={false}
          autocomplete="off"
          maxlength={64}
          required
          aria-describedby={error ? 'password-error password-hint' : 'password-hint'}
          aria-invalid={error ? 'true' : undefined}
          autofocus
        />
        <p id="password-hint" class="hint">
          {t.passwordHint}
        </p>
        <p class="toggle" hidden>
          <label>
            <input type="checkbox" id="show-password" /> {t.showPassword}
          </label>
        </p>
        <button type="submit">{t.submitPassword}</button>
      </form>
      <p class="note">{t.landingNoLockout}</p>
      <p class="note">{t.landingWhatNext}</p>
    </Layout>
  );
}
