import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { formField, formMediaType } from '../../src/http/form-field.js';

/** The field as formField reads it and as Hono's parseBody reads it, from the same request. */
async function both(body: BodyInit, contentType: string | null): Promise<{ ours: string; hono: unknown }> {
  const app = new Hono();
  app.post('/ours', async (c) => c.json({ value: await formField(c, 'password') }));
  app.post('/hono', async (c) => c.json({ value: (await c.req.parseBody().catch(() => ({}) as Record<string, unknown>)).password ?? '' }));
  const headers: Record<string, string> = contentType === null ? {} : { 'Content-Type': contentType };
  const ours = (await (await app.request('/ours', { method: 'POST', body, headers })).json()) as { value: string };
  const hono = (await (await app.request('/hono', { method: 'POST', body, headers })).json()) as { value: unknown };
  return { ours: ours.value, hono: hono.value };
}

const URLENCODED = 'application/x-www-form-urlencoded';

describe('formField', () => {
  it('reads urlencoded bodies exactly as Hono parseBody does', async () => {
    const bodies = [
      'password=Kx7mQ2pR',
      'password=Kx7m+Q2pR',
      'password=Kx7m%20Q2pR%2B',
      'other=1&password=first&password=last',
      'password=',
      'password',
      'other=1',
      '',
      'password=%EF%BC%AB%EF%BD%98', // full-width letters, for the page to explain
      'password=%F0%9F%94%91abc',
      'password=%zz%41',
      'password=%FF%FE',
      'password=a%00b',
      '&&password=x&&',
      'pass%77ord=encoded-name',
      'password=x;other=y',
    ];
    for (const body of bodies) {
      const { ours, hono } = await both(body, URLENCODED);
      expect(ours, body).toBe(hono);
    }
    for (const type of ['Application/X-WWW-Form-Urlencoded', `${URLENCODED}; charset=UTF-8`, `${URLENCODED} ;charset=utf-8`]) {
      const { ours, hono } = await both('password=Kx7mQ2pR', type);
      expect(ours, type).toBe('Kx7mQ2pR');
      expect(hono, type).toBe('Kx7mQ2pR');
    }
  });

  it('reads raw UTF-8 bytes, and invalid ones, the same way too', async () => {
    for (const bytes of [Buffer.from('password=ｐａｓｓ', 'utf8'), Buffer.from([0x70, 0x61, 0x73, 0x73, 0x77, 0x6f, 0x72, 0x64, 0x3d, 0xc3, 0x28, 0x41])]) {
      const { ours, hono } = await both(bytes, URLENCODED);
      expect(ours, bytes.toString('hex')).toBe(hono);
    }
  });

  it('differs from parseBody in one place: a body starting with a UTF-8 BOM still names the field', async () => {
    // undici's formData keeps the BOM as part of the first name; text() drops it, as a decoder should.
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('password=Kx7mQ2pR')]);
    expect(await both(body, URLENCODED)).toEqual({ ours: 'Kx7mQ2pR', hono: '' });
  });

  it('leaves multipart bodies to parseBody, and returns "" for a file or a missing or unreadable field', async () => {
    const form = new FormData();
    form.set('password', 'Kx7mQ2pR');
    expect((await both(form, null)).ours).toBe('Kx7mQ2pR');
    const file = new FormData();
    file.set('password', new Blob(['Kx7mQ2pR']), 'pw.txt');
    expect((await both(file, null)).ours).toBe('');
    expect((await both('password=x', 'text/plain')).ours).toBe('');
    expect((await both('password=x', null)).ours).toBe('');
    // A multipart type with a broken body: parseBody fails, and the field is simply missing.
    expect((await both('password=x', 'multipart/form-data; boundary=zzz')).ours).toBe('');
  });
});

describe('formMediaType', () => {
  it('names the two form types, whatever their case and parameters, and nothing else', () => {
    expect(formMediaType('application/x-www-form-urlencoded')).toBe(URLENCODED);
    expect(formMediaType('APPLICATION/X-WWW-FORM-URLENCODED;charset=UTF-8')).toBe(URLENCODED);
    expect(formMediaType('multipart/form-data; boundary=x')).toBe('multipart/form-data');
    for (const other of [undefined, '', 'text/plain', 'application/json', 'application/x-www-form-urlencodedx', ' application/x-www-form-urlencoded', 'multipart/form-data2']) {
      expect(formMediaType(other), String(other)).toBeNull();
    }
  });
});
