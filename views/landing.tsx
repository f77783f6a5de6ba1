import { EXCLUDED_CHARACTERS } from '../src/pickup/secret-code.js';
import { Layout, type PageProps } from './layout.js';
import { caName, MixedText, supportLine } from './support.js';

export type LandingProps = PageProps & {
  action: string;
  deadline: string;
  /** The day before a deadline that falls at night, as the last practical chance; else null. */
  nightDay: string | null;
  /** Download was already pressed (seen from another browser, or after the session ran out). */
  running: { started: string; ends: string } | null;
  error: string | null;
  /** Whether the error is about what was typed, so the checklist helps. */
  checks: boolean;
};

/**
 * The form posts to `#password-error`, so the browser opens the answer to a mistake at the error
 * and focuses it (it has tabindex -1), with or without script; Tab from there reaches the field.
 * Nothing is autofocused, so a fresh page opens at its top.
 */
export function LandingPage(props: LandingProps) {
  const { t, lang, ca, action, deadline, nightDay, running, error, checks } = props;
  return (
    <Layout {...props} title={t.landingTitle}>
      <h1>{t.landingTitle}</h1>
      <p>{t.landingIntro(caName(ca, lang))}</p>
      {running ? (
        <div class="notice running" role="status">
          <h2>{t.landingRunningTitle}</h2>
          <p>{t.landingRunning(running.started, running.ends)}</p>
          <p>
            {t.landingRunningNotYou} {supportLine(t, lang, ca)}
          </p>
        </div>
      ) : (
        <>
          <p class="deadline">{t.landingDeadline(deadline)}</p>
          {nightDay ? <p class="note night">{t.nightNote(nightDay)}</p> : null}
        </>
      )}
      <p class="device">{t.deviceNote}</p>
      <section class="letters" aria-labelledby="letters-title">
        <h2 id="letters-title">{t.lettersTitle}</h2>
        <div class="letter use">
          <p class="letter-name">
            <MixedText lang={lang} text={t.letterPasswordName} />
          </p>
          <p>{t.letterPasswordUse}</p>
        </div>
        <div class="letter later">
          <p class="letter-name">
            <MixedText lang={lang} text={t.letterPinName} />
          </p>
          <p>{t.letterPinUse}</p>
        </div>
      </section>
      <form method="post" action={`${action}#password-error`} class="card" novalidate>
        {error ? (
          <div id="password-error" class="error" role="alert" tabindex={-1}>
            <p class="error-message">{error}</p>
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
          aria-describedby={error ? (checks ? 'password-error password-checks password-hint' : 'password-error password-hint') : 'password-hint'}
          aria-invalid={error ? 'true' : undefined}
        />
        <p class="toggle" hidden>
          <input type="checkbox" id="show-password" aria-controls="password" />
          <label for="show-password">{t.showPassword}</label>
        </p>
        <button type="submit">{t.submitPassword}</button>
        {/* Below the field, so on a phone the error, the field and the button fit one screen. */}
        {error && checks ? (
          <div id="password-checks" class="error-checks">
            <p class="error-checks-title">{t.errorChecksTitle}</p>
            <ul>
              {t.errorChecks.map((line) => (
                <li>{line}</li>
              ))}
            </ul>
          </div>
        ) : null}
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
