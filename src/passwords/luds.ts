/**
 * Stytch's LUDS policy: a minimum length and a minimum number of character classes among
 * Lowercase (a-z), Uppercase (A-Z), Digits (0-9) and Symbols (anything else). Lengths count
 * Unicode code points, so an emoji is one character.
 */
export interface LudsRequirements {
  hasLowerCase: boolean;
  hasUpperCase: boolean;
  hasDigit: boolean;
  hasSymbol: boolean;
  missingComplexity: number;
  missingCharacters: number;
}

export function evaluateLuds(password: string, minLength: number, minComplexity: number): LudsRequirements {
  let hasLowerCase = false;
  let hasUpperCase = false;
  let hasDigit = false;
  let hasSymbol = false;
  let length = 0;
  for (const ch of password) {
    length++;
    if (ch >= 'a' && ch <= 'z') hasLowerCase = true;
    else if (ch >= 'A' && ch <= 'Z') hasUpperCase = true;
    else if (ch >= '0' && ch <= '9') hasDigit = true;
    else hasSymbol = true;
  }
  const classes = [hasLowerCase, hasUpperCase, hasDigit, hasSymbol].filter(Boolean).length;
  return {
    hasLowerCase,
    hasUpperCase,
    hasDigit,
    hasSymbol,
    missingComplexity: Math.max(0, minComplexity - classes),
    missingCharacters: Math.max(0, minLength - length),
  };
}
