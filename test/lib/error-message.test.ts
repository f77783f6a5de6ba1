import { DrizzleQueryError } from 'drizzle-orm/errors';
import { describe, expect, it } from 'vitest';
import { errorMessage } from '../../src/lib/error-message.js';

describe('errorMessage', () => {
  it("keeps a failed query's reason and drops the values bound to it", () => {
    const cause = Object.assign(new Error('value too long for type character varying(64)\nDETAIL: more'), { code: '22001' });
    const err = new DrizzleQueryError('insert into "pickups" ("password_hash", "email") values ($1, $2)', ['$argon2id$v=19$secret-hash', 'taro@example.jp'], cause);
    expect(err.message).toContain('secret-hash');
    expect(errorMessage(err)).toBe('a database query failed: value too long for type character varying(64)');
  });

  it('passes any other message through', () => {
    expect(errorMessage(new Error('connect ECONNREFUSED 127.0.0.1:1'))).toBe('connect ECONNREFUSED 127.0.0.1:1');
    expect(errorMessage('plain')).toBe('plain');
    expect(errorMessage(new DrizzleQueryError('select 1', [], undefined))).toBe('a database query failed: no reason given');
  });
});
