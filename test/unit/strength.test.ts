import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import zxcvbn from 'zxcvbn';
import {
  createStrengthScorer,
  scoreLocally,
  userInputsFromEmail,
  type StrengthResult,
} from '../../src/passwords/strength.js';
import {
  MAX_SEGMENT_CODE_POINTS,
  SEGMENT_COST_BUDGET,
  l33tSubstitutionCount,
  segmentCostOf,
  segmentEnd,
} from '../../src/passwords/strength-cost.js';
import { alignCut, copiedLength } from '../../src/passwords/strength-repeats.js';

/**
 * Scores from zxcvbn 4.4.2 itself (generated once by calling the library, then frozen here), so
 * the table proves scoreLocally is the library for ordinary passwords.
 */
const GOLDEN: readonly (readonly [string, number])[] = [
  ['', 0],
  ['password', 0],
  ['123456', 0],
  ['qwerty', 0],
  ['letmein', 0],
  ['monkey', 0],
  ['dragon', 0],
  ['iloveyou', 0],
  ['trustno1', 0],
  ['abc123', 0],
  ['football', 0],
  ['welcome', 0],
  ['admin', 0],
  ['sunshine', 0],
  ['princess', 0],
  ['P@ssw0rd', 0],
  ['p@$$w0rd', 0],
  ['Tr0ub4dor&3', 4],
  ['l3tm31n', 0],
  ['M0nk3y!', 1],
  ['dr4g0n99', 1],
  ['5h4d0w', 0],
  ['P4ssw0rd!', 1],
  ['correct horse battery staple', 4],
  ['correcthorsebatterystaple', 4],
  ['the quick brown fox', 4],
  ['ilovemydog', 3],
  ['purple monkey dishwasher', 4],
  ['I like big butts and I cannot lie', 4],
  ['xK9mQvTz8RbWnHqJ', 4],
  ['fj39Dk2!qP', 3],
  ['Zq8#rT2v', 2],
  ['a8Fz', 1],
  ['hL4$wq9Mz1', 3],
  ['rWx7uB3nKc', 3],
  ['michael1987', 1],
  ['Jessica2000', 1],
  ['ashley123', 1],
  ['john.smith42', 3],
  ['Ada1815', 2],
  ['qwertyuiop', 0],
  ['asdfghjkl', 0],
  ['zxcvbnm', 0],
  ['1qaz2wsx', 0],
  ['qazwsxedc', 0],
  ['!QAZ2wsx', 1],
  ['poiuytrewq', 0],
  ['19121987', 1],
  ['12/19/1987', 1],
  ['1987-12-19', 1],
  ['01011990', 0],
  ['2024', 1],
  ['aaaaaaaa', 0],
  ['abcabcabc', 0],
  ['abcdefgh', 0],
  ['13579', 0],
  ['zyxwvu', 0],
  ['🔥🔥🔥🔥', 0],
  ['🐶🐱🐭🐹🐰🦊🐻🐼', 4],
  ['pässwörd', 2],
  ['пароль', 1],
  ['密码密码', 0],
  ['Ünïcødé-Pässwörd-2024', 4],
  ['ça va très bien merci', 4],
  ['my cat is called felix and my dog is called rover, both are old!', 4],
  // 64 code points but 128 UTF-16 units: still one segment, so still exactly zxcvbn.
  ['🐶🐱🐭🐹🐰🦊🐻🐼'.repeat(8), 4],
];

const NO_FEEDBACK = { warning: '', suggestions: [] };

/** Long inputs that are slow for raw zxcvbn; all 256 code points. */
const ADVERSARIAL: readonly string[] = [
  '4@8({[<3661|!1|!£$5+7%2'.repeat(12).slice(0, 256),
  '4@8({[<369|!1$5+70%2'.repeat(13).slice(0, 256),
  'p@$$w0rd'.repeat(32),
  '|\\/|4573r|\\/|4573rdr4g0n'.repeat(11).slice(0, 256),
  Array.from({ length: 256 }, (_, i) => '4@8({[<369|!1$5+70%2'[(i * 7 + ((i * i) % 13)) % 20]).join(''),
  Array.from({ length: 256 }, (_, i) => String((i * 7919 + ((i * i) % 97)) % 10)).join(''),
  '19/12/1987'.repeat(26).slice(0, 256),
  'qwertyuiop'.repeat(26).slice(0, 256),
];

function isScore(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 4;
}

void describe('scoreLocally on ordinary passwords is zxcvbn 4.4.2', () => {
  void it('matches the golden scores', () => {
    assert.ok(GOLDEN.length >= 50);
    for (const [password, score] of GOLDEN) {
      assert.equal(scoreLocally(password, []).score, score, JSON.stringify(password));
    }
  });

  void it('returns zxcvbn feedback for weak passwords and none for strong ones', () => {
    assert.deepEqual(scoreLocally('password', []).feedback, {
      warning: 'This is a top-10 common password',
      suggestions: ['Add another word or two. Uncommon words are better.'],
    });
    assert.deepEqual(scoreLocally('P@ssw0rd', []).feedback, {
      warning: 'This is similar to a commonly used password',
      suggestions: [
        'Add another word or two. Uncommon words are better.',
        "Capitalization doesn't help very much",
        "Predictable substitutions like '@' instead of 'a' don't help very much",
      ],
    });
    assert.deepEqual(scoreLocally('', []).feedback, {
      warning: '',
      suggestions: ['Use a few words, avoid common phrases', 'No need for symbols, digits, or uppercase letters'],
    });
    assert.deepEqual(scoreLocally('correct horse battery staple', []).feedback, NO_FEEDBACK);
    for (const password of ['19121987', 'abcabcabc', 'Zq8#rT2v', 'qwertyuiop']) {
      const expected = zxcvbn(password).feedback;
      assert.deepEqual(scoreLocally(password, []).feedback, { warning: expected.warning, suggestions: expected.suggestions });
    }
  });

  void it('predicts zxcvbn’s l33t substitution count (the cost model)', () => {
    const require = createRequire(import.meta.url);
    const matching = require('zxcvbn/lib/matching.js');
    const table = {
      a: ['4', '@'], b: ['8'], c: ['(', '{', '[', '<'], e: ['3'], g: ['6', '9'], i: ['1', '!', '|'],
      l: ['1', '|', '7'], o: ['0'], s: ['$', '5'], t: ['+', '7'], x: ['%'], z: ['2'],
    };
    const shared = ['1', '!', '|', '7', '+'];
    const others = ['4', '@', '8', '(', '{', '[', '<', '3', '6', '9', '0', '$', '5', '%', '2'];
    for (let k = 0; k < 256; k++) {
      // Every subset of the shared characters, each with a different mix of the others.
      const chars = [
        ...shared.filter((_, bit) => (k >> bit) & 1),
        ...others.filter((_, i) => (Math.imul(k + 1, 2654435761) >>> i) & 1),
      ];
      const expected = matching.enumerate_l33t_subs(matching.relevant_l33t_subtable(chars.join(''), table)).length;
      assert.equal(l33tSubstitutionCount(new Set(chars)), expected, chars.join(''));
    }
  });
});

void describe('scoreLocally on long inputs', () => {
  void it('keeps repetitions weak however long they are', () => {
    for (const password of ['a'.repeat(256), 'password'.repeat(25), 'abc'.repeat(85), '19/12/1987'.repeat(10), '🔥'.repeat(256)]) {
      const result = scoreLocally(password, []);
      assert.ok(result.score <= 2, `${password.slice(0, 20)}… scored ${result.score}`);
      assert.notEqual(result.feedback.warning + result.feedback.suggestions.join(''), '');
    }
    assert.match(scoreLocally('a'.repeat(256), []).feedback.warning, /Repeats like "aaa"/);
  });

  void it('agrees with zxcvbn on repeats it can still afford to score in full', () => {
    for (const password of ['a'.repeat(256), 'password'.repeat(25), 'abc'.repeat(85), '19/12/1987'.repeat(10), 'Xyz!' + 'abc'.repeat(84)]) {
      assert.equal(scoreLocally(password, []).score, zxcvbn(password).score, password.slice(0, 20));
    }
  });

  void it('credits a strong remainder after a weak first segment', () => {
    assert.equal(scoreLocally('a'.repeat(64), []).score, 0);
    const long = 'a'.repeat(64) + 'Vq7#mZ2!pL9@xR4$';
    const result = scoreLocally(long, []);
    assert.ok(result.score >= 3, `scored ${result.score}`);
    assert.deepEqual(result.feedback, NO_FEEDBACK);
  });

  void it('scores a long passphrase as strong', () => {
    const phrase = 'the harbour lights were blinking slowly while seven gulls argued over one cold chip by the pier';
    assert.ok(Array.from(phrase).length > 64);
    assert.equal(scoreLocally(phrase, []).score, 4);
  });

  void it('does not crash beyond the 256 code point limit', () => {
    for (const password of ['x'.repeat(5000), 'Vq7#mZ2!pL9@xR4$'.repeat(100), '😀'.repeat(1000), 'ab1'.repeat(300_000)]) {
      assert.ok(isScore(scoreLocally(password, []).score));
    }
  });

  void it('cuts every input into segments within the cost budget', () => {
    for (const password of [...ADVERSARIAL, ...GOLDEN.map(([p]) => p.repeat(9))]) {
      const codePoints = Array.from(password);
      for (let start = 0; start < codePoints.length; ) {
        const end = segmentEnd(codePoints, start);
        assert.ok(end > start && end - start <= MAX_SEGMENT_CODE_POINTS);
        assert.ok(end - start === 1 || segmentCostOf(codePoints, start, end) <= SEGMENT_COST_BUDGET);
        start = end;
      }
    }
  });

  void it('cuts repeats at whole periods and finds the copies after them', () => {
    const date = Array.from('19/12/1987'.repeat(10));
    assert.equal(alignCut(date, 0, 64), 60);
    assert.equal(copiedLength(date, 60), 40);
    const aab = Array.from('aab'.repeat(30));
    assert.equal(alignCut(aab, 0, 64), 63);
    const prose = Array.from('the harbour lights were blinking slowly while seven gulls argued over one cold chip');
    assert.equal(alignCut(prose, 0, 64), 64);
    assert.ok(copiedLength(prose, 64) < 4);
  });

  void it('completes adversarial 256 code point inputs with a valid score', () => {
    for (const password of ADVERSARIAL) {
      assert.equal(Array.from(password).length, 256);
      const result = scoreLocally(password, []);
      assert.ok(isScore(result.score));
      assert.equal(result.score > 2, result.feedback.warning === '' && result.feedback.suggestions.length === 0);
    }
  });
});

void describe('userInputsFromEmail', () => {
  void it('gives the local part, the domain, and their pieces', () => {
    const inputs = userInputsFromEmail('ada.lovelace@example.com');
    for (const expected of ['ada.lovelace', 'example.com', 'ada', 'lovelace', 'example', 'com']) {
      assert.ok(inputs.includes(expected), expected);
    }
    assert.deepEqual(userInputsFromEmail(undefined), []);
    assert.deepEqual(userInputsFromEmail(''), []);
    assert.ok(userInputsFromEmail('first_last+tag@mail.example.org').includes('first'));
  });

  void it('makes a password equal to the local part weak', () => {
    assert.equal(scoreLocally('ada.lovelace', []).score, 2);
    assert.equal(scoreLocally('ada.lovelace', userInputsFromEmail('ada.lovelace@example.com')).score, 0);
  });
});

void describe('createStrengthScorer', () => {
  const scorer = createStrengthScorer({ workers: 2 });
  after(() => scorer.close());

  void it('returns what scoreLocally returns', async () => {
    const inputs = userInputsFromEmail('ada.lovelace@example.com');
    const passwords = [...GOLDEN.map(([p]) => p).slice(0, 20), 'ada.lovelace', 'a'.repeat(256), ADVERSARIAL[0]!];
    const results = await Promise.all(passwords.map((p) => scorer.score(p, inputs)));
    results.forEach((result, i) => {
      const expected: StrengthResult = scoreLocally(passwords[i]!, inputs);
      assert.deepEqual(result, expected);
    });
  });

  void it('completes adversarial inputs without blocking the event loop', async () => {
    let ticked = false;
    setImmediate(() => {
      ticked = true;
    });
    const results = await Promise.all(ADVERSARIAL.map((p) => scorer.score(p, [])));
    assert.ok(ticked);
    for (const result of results) assert.ok(isScore(result.score));
  });

  void it('times out with STRENGTH_TIMEOUT, then recovers with a fresh worker', async () => {
    const tight = createStrengthScorer({ deadlineMs: 1 });
    try {
      // Let the worker boot first, so the 1 ms deadline falls while it is scoring.
      await tight.score('warm up', [], { deadlineMs: 60_000 });
      await assert.rejects(tight.score(ADVERSARIAL[5]!, []), { code: 'STRENGTH_TIMEOUT' });
      const after = await tight.score('correct horse battery staple', [], { deadlineMs: 60_000 });
      assert.equal(after.score, 4);
    } finally {
      await tight.close();
    }
  });

  void it('rejects calls after close', async () => {
    const closing = createStrengthScorer();
    const pending = assert.rejects(closing.score('correct horse battery staple', []), { code: 'STRENGTH_CLOSED' });
    await closing.close();
    await pending;
    await assert.rejects(closing.score('x', []), { code: 'STRENGTH_CLOSED' });
  });
});
