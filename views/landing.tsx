import { EXCLUDED_CHARACTERS } from '../src/pickup/secret-code.js';
import { Layout, type PageProps } from './layout.js';

export type LandingProps = PageProps & {
  action: string;
  deadline: string;
  error: string | null;
  /** Whether the error is about what was typed, so the checklist helps. */
  checks: boolean;
};

export function LandingPage(props: LandingProps) {
  const { t, action, deadline, error, checks } = props;
  return (
    <Layout {...props} title={t.landingTitle}>
      <h1>{t.landingTitle}</h1>
      <p>{t.landingIntro}</p>
      <p class="deadline">{t.landingDeadline(deadline)}</p>
      <section class="letters" aria-labelledby="letters-title">
        <h2 id="letters-title">{t.lettersTitle}</h2>
        <div class="letter use">
          <p class="letter-name">{t.letterPasswordName}</p>
          <p>{t.letterPasswordUse}</p>
        </div>
        <div class="letter later">
          <p class="letter-name">{t.letterPinName}</p>
          <p>{t.letterPinUse}</p>
        </div>
      </section>
      <form method="post" action={action} class="card" novalidate>
        {error ? (
          <div id="password-error" class="error" role="alert">
            <p class="error-message">{error}</p>
            {checks ? (
              <>
                <p class="error-checks-title">{t.errorChecksTitle}</p>
                <ul>
                  {t.errorChecks.map((line) => (
                    <li>{line}</li>
                  ))}
                </ul>
              </>
            ) : null}
          </div>
        ) : null}
        <label for="password">{t.passwordLabel}</label>
        <div id="password-hint" class="hint">
          <p>{t.passwordHint}</p>
          <p>
            {t.passwordExcluded}{' '}
            <span class="chars" translate="no">
              {EXCLUDED_CHARACTERS.map((ch) => (
                <kbd>{ch}</kbd>
              ))}
            </span>
          </p>
        </div>
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
        <p class="toggle" hidden>
          <input type="checkbox" id="show-password" aria-controls="password" />
          <label for="show-password">{t.showPassword}</label>
        </p>
        <button type="submit">{t.submitPassword}</button>
      </form>
      <p class="note">{t.landingNoLockout}</p>
      <section aria-labelledby="steps-title">
        <h2 id="steps-title">{t.stepsTitle}</h2>
        <ol class="steps">
          {t.steps.map((line) => (
            <li>{line}</li>
          ))}
        </ol>
      </section>
    </Layout>
  );
}
