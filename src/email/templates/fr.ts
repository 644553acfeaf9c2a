import type { ResetPasswordStrings } from './strings.js';

// French puts a non-breaking space (\u00a0) before "?" and ":".
export const fr: ResetPasswordStrings = {
  lang: 'fr',
  subject: 'Réinitialisez votre mot de passe',
  intro: 'Nous avons reçu une demande de réinitialisation du mot de passe pour {email}.',
  resetLead: 'Pour choisir un nouveau mot de passe, utilisez ce lien\u00a0:',
  resetButton: 'Réinitialiser le mot de passe',
  copyLink: 'Si le bouton ne fonctionne pas, copiez cette adresse dans votre navigateur\u00a0:',
  expiry: 'Ce lien ne peut être utilisé qu’une seule fois et expire dans {duration}.',
  loginLead: 'Vous vous souvenez de votre mot de passe\u00a0? Vous pouvez vous connecter normalement\u00a0:',
  loginButton: 'Se connecter',
  ignore:
    'Si vous n’êtes pas à l’origine de cette demande, vous pouvez ignorer cet e-mail. Votre mot de passe ne sera pas modifié.',
  units: { minute: ['minute', 'minutes'], hour: ['heure', 'heures'], day: ['jour', 'jours'] },
};
