/** Policy documents (validation, every problem listed) and the evaluation of checks. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuthError } from '../../src/errors.js';
import { PolicyError, policyFromDocument, policyToDocument } from '../../src/rbac/document.js';
import { authorize, defaultPolicy } from '../../src/rbac/policy.js';

const DOC = {
  resources: [
    { resource_id: 'documents', description: 'Docs', actions: ['read', 'write', 'delete'] },
    { resource_id: 'invoices', actions: ['pay'] },
  ],
  roles: [
    { role_id: 'stytch_user', description: 'Everyone', permissions: [{ resource_id: 'documents', actions: ['read'] }] },
    { role_id: 'editor', permissions: [{ resource_id: 'documents', actions: ['read', 'write'] }] },
    { role_id: 'owner', permissions: [{ resource_id: 'documents', actions: ['*'] }, { resource_id: 'invoices', actions: ['pay'] }] },
  ],
  scopes: [{ scope: 'read:docs', permissions: [{ resource_id: 'documents', actions: ['read'] }] }],
};

function problemsOf(doc: unknown): string[] {
  try {
    policyFromDocument(doc);
  } catch (err) {
    assert.ok(err instanceof PolicyError, String(err));
    return err.problems;
  }
  assert.fail('the document was accepted');
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AuthError);
    assert.equal(err.type, 'consumer_session_authorization_error');
    assert.equal(err.status, 403);
    return err.message;
  }
  assert.fail('the check passed');
}

void describe('RBAC policy documents', () => {
  void it('a valid document reads back in Stytch shape, defaults filled, stytch_admin added', () => {
    const doc = policyToDocument(policyFromDocument(DOC));
    assert.deepEqual(doc.roles.map((r) => r.role_id), ['stytch_admin', 'stytch_user', 'editor', 'owner']);
    assert.deepEqual(doc.roles[0], { role_id: 'stytch_admin', description: 'An administrator; assigned explicitly.', permissions: [] });
    assert.deepEqual(doc.resources[1], { resource_id: 'invoices', description: '', actions: ['pay'] });
    assert.deepEqual(doc.scopes, [{ scope: 'read:docs', description: '', permissions: [{ resource_id: 'documents', actions: ['read'] }] }]);
    assert.deepEqual(policyToDocument(policyFromDocument(doc)), doc, 'what show prints, set accepts unchanged');
  });

  void it('the empty document is the default policy', () => {
    assert.deepEqual(policyFromDocument({}), defaultPolicy());
  });

  void it('unknown resources and actions in roles and scopes are refused, each named', () => {
    const problems = problemsOf({
      resources: DOC.resources,
      roles: [
        { role_id: 'a', permissions: [{ resource_id: 'photos', actions: ['read'] }] },
        { role_id: 'b', permissions: [{ resource_id: 'documents', actions: ['read', 'share'] }] },
      ],
      scopes: [{ scope: 's', permissions: [{ resource_id: 'invoices', actions: ['refund'] }] }],
    });
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.match(problems[0]!, /^roles\[0\]\.permissions\[0\]: unknown resource "photos"/);
    assert.match(problems[1]!, /^roles\[1\]\.permissions\[0\]\.actions\[1\]: unknown action "share" of resource "documents"/);
    assert.match(problems[2]!, /^scopes\[0\]\.permissions\[0\]\.actions\[0\]: unknown action "refund"/);
  });

  void it('shapes, duplicates, reserved ids and wildcard misuse are refused, all at once', () => {
    const problems = problemsOf({
      extra: 1,
      resources: [
        { resource_id: 'stytch.user', actions: ['read'] },
        { resource_id: 'docs', actions: [] },
        { resource_id: 'docs', actions: ['read', 'read', '*'] },
        'not an object',
        { resource_id: 'files', actions: ['read'] },
      ],
      roles: [
        { role_id: 'stytch_owner', permissions: [] },
        { role_id: 'x', permissions: [{ resource_id: 'files', actions: ['*', 'read'] }] },
        { role_id: 'x', permissions: 'all' },
        { role_id: '', permissions: [] },
      ],
      scopes: 'none',
    });
    for (const expected of [
      /^extra: unknown field/,
      /^resources\[0\]: resource_id "stytch\.user": ids beginning with "stytch" are reserved/,
      /^resources\[1\]: actions must list at least one action/,
      /^resources\[2\]: resource_id "docs" is defined twice/,
      /^resources\[2\]\.actions\[1\]: action "read" is listed twice/,
      /^resources\[2\]\.actions\[2\]: "\*" is not an action/,
      /^resources\[3\]: must be an object/,
      /^roles\[0\]: role_id "stytch_owner": ids beginning with "stytch" are reserved/,
      /^roles\[1\]\.permissions\[0\]: "\*" already grants every action; list it alone/,
      /^roles\[2\]: role_id "x" is defined twice/,
      /^roles\[2\]: permissions must be an array/,
      /^roles\[3\]: role_id must be a non-empty string/,
      /^scopes: scopes must be an array/,
    ]) {
      assert.ok(problems.some((p) => expected.test(p)), `${String(expected)} in:\n${problems.join('\n')}`);
    }
    assert.equal(problemsOf([]).length, 1, 'an array is not a policy');
  });
});

void describe('RBAC checks', () => {
  const policy = policyFromDocument(DOC);

  void it('grants with every granting role of the subject, in policy order', () => {
    assert.deepEqual(authorize(policy, ['stytch_user'], { resourceId: 'documents', action: 'read' }), { authorized: true, grantingRoles: ['stytch_user'] });
    assert.deepEqual(authorize(policy, ['stytch_user', 'owner', 'editor'], { resourceId: 'documents', action: 'write' }), {
      authorized: true,
      grantingRoles: ['editor', 'owner'],
    });
    assert.deepEqual(authorize(policy, ['stytch_user', 'owner'], { resourceId: 'documents', action: 'delete' }).grantingRoles, ['owner'], 'the wildcard');
  });

  void it('refuses what no role of the subject grants', () => {
    refusal(() => authorize(policy, ['stytch_user'], { resourceId: 'documents', action: 'write' }));
    refusal(() => authorize(policy, ['stytch_user', 'editor'], { resourceId: 'invoices', action: 'pay' }));
    refusal(() => authorize(policy, ['stytch_user', 'ghost-role'], { resourceId: 'invoices', action: 'pay' }));
  });

  void it('refuses unknown resources and actions, even for a wildcard role', () => {
    assert.match(refusal(() => authorize(policy, ['owner'], { resourceId: 'photos', action: 'read' })), /no resource "photos"/);
    assert.match(refusal(() => authorize(policy, ['owner'], { resourceId: 'documents', action: 'share' })), /no action "share"/);
    assert.match(refusal(() => authorize(policy, ['owner'], { resourceId: 'documents', action: '*' })), /no action "\*"/);
    refusal(() => authorize(defaultPolicy(), ['stytch_user', 'stytch_admin'], { resourceId: 'documents', action: 'read' }));
  });
});
