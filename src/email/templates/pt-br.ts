import type { ResetPasswordStrings } from './strings.js';

export const ptBr: ResetPasswordStrings = {
  lang: 'pt-BR',
  subject: 'Redefina sua senha',
  intro: 'Recebemos uma solicitação para redefinir a senha de {email}.',
  resetLead: 'Para escolher uma nova senha, use este link:',
  resetButton: 'Redefinir senha',
  copyLink: 'Se o botão não funcionar, copie este endereço no seu navegador:',
  expiry: 'O link só pode ser usado uma vez e expira em {duration}.',
  loginLead: 'Lembrou sua senha? Você pode entrar normalmente:',
  loginButton: 'Entrar',
  ignore: 'Se você não fez essa solicitação, pode ignorar este e-mail. Sua senha não será alterada.',
  units: { minute: ['minuto', 'minutos'], hour: ['hora', 'horas'], day: ['dia', 'dias'] },
};
