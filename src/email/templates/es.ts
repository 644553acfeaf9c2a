import type { ResetPasswordStrings } from './strings.js';

export const es: ResetPasswordStrings = {
  lang: 'es',
  subject: 'Restablece tu contraseña',
  intro: 'Hemos recibido una solicitud para restablecer la contraseña de {email}.',
  resetLead: 'Para elegir una contraseña nueva, usa este enlace:',
  resetButton: 'Restablecer contraseña',
  copyLink: 'Si el botón no funciona, copia esta dirección en tu navegador:',
  expiry: 'El enlace solo se puede usar una vez y caduca en {duration}.',
  loginLead: '¿Has recordado tu contraseña? Puedes iniciar sesión como siempre:',
  loginButton: 'Iniciar sesión',
  ignore: 'Si no has sido tú, puedes ignorar este correo. Tu contraseña no cambiará.',
  units: { minute: ['minuto', 'minutos'], hour: ['hora', 'horas'], day: ['día', 'días'] },
};
