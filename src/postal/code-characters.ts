export type CharacterKind = 'upper' | 'lower' | 'digit';

/** Spells a code out character by character, so a printed "l" is never read as "1". */
export function spellCode(code: string): Array<{ ch: string; kind: CharacterKind }> {
  return [...code].map((ch) => ({ ch, kind: /[A-Z]/.test(ch) ? 'upper' : /[a-z]/.test(ch) ? 'lower' : 'digit' }));
}

export const KIND_LABEL: Record<CharacterKind, { ja: string; en: string }> = {
  upper: { ja: '英大文字', en: 'capital' },
  lower: { ja: '英小文字', en: 'small' },
  digit: { ja: '数字', en: 'digit' },
};
